"""A person sees where they are signed in (address, browser, since when) and can sign out
every other session (allauth's user sessions); every button that ends a session asks first
(kluis.access.confirm: a plain form, with or without JavaScript)."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.test import Client

from kluis.identity.models import User

EMAIL = "member1@demo-bv.test"


def signed_in_client(ip: str, agent: str) -> Client:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    response = client.post(
        "/accounts/login/", {"login": EMAIL, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302, response.content[:300]
    return client


def test_a_person_sees_their_sessions_and_signs_the_others_out(demo):
    cache.clear()
    laptop = signed_in_client("127.0.0.2", "Laptop browser")
    phone = signed_in_client("127.0.0.3", "Phone browser")
    page = laptop.get("/accounts/sessions/", secure=True)
    assert page.status_code == 200
    text = page.content.decode()
    assert "127.0.0.2" in text and "127.0.0.3" in text
    assert "Laptop browser" in text and "Phone browser" in text
    # The menu leads there.
    assert (
        'href="/accounts/sessions/"' in laptop.get("/", secure=True, follow=True).content.decode()
    )
    assert 'aria-current="page">Sessions</a>' in text  # its account tab is marked
    assert "_auth_user_id" in phone.session
    asked = laptop.post("/accounts/sessions/", secure=True)
    question = asked.content.decode()
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in question
    assert "Sign out your other sessions?" in question
    assert 'action="/accounts/sessions/"' in question
    assert '<input type="hidden" name="confirmed" value="1">' in question
    assert 'data-testid="cancel">' in question and 'href="/accounts/sessions/"' in question
    assert "<script" not in question.split('data-testid="confirm-page"')[1]
    assert phone.get("/", secure=True).status_code == 200  # asking ended nothing
    response = laptop.post("/accounts/sessions/", {"confirmed": "1"}, secure=True)
    assert response.status_code == 302 and response["Location"] == "/accounts/sessions/"
    assert "_auth_user_id" not in phone.session  # the phone is signed out
    assert "_auth_user_id" in laptop.session  # this one stays
    user = User.objects.get(email=EMAIL)
    from allauth.usersessions.models import UserSession

    assert list(UserSession.objects.filter(user=user).values_list("ip", flat=True)) == ["127.0.0.2"]


def test_another_person_s_sessions_are_not_listed(demo):
    cache.clear()
    mine = signed_in_client("127.0.0.2", "Mine")
    other = Client(REMOTE_ADDR="127.0.0.4", HTTP_USER_AGENT="Someone else's")
    other.post(
        "/accounts/login/",
        {"login": "member2@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    text = mine.get("/accounts/sessions/", secure=True).content.decode()
    assert "127.0.0.4" not in text and "Someone else" not in text


def _session_pk(agent: str) -> int:
    from allauth.usersessions.models import UserSession

    return UserSession.objects.get(user__email=EMAIL, user_agent=agent).pk


def test_a_person_ends_one_other_session(demo):
    cache.clear()
    laptop = signed_in_client("127.0.0.2", "Laptop browser")
    phone = signed_in_client("127.0.0.3", "Phone browser")
    tablet = signed_in_client("127.0.0.5", "Tablet browser")
    page = laptop.get("/accounts/sessions/", secure=True).content.decode()
    assert f"/accounts/sessions/{_session_pk('Phone browser')}/end/" in page
    end = f"/accounts/sessions/{_session_pk('Phone browser')}/end/"
    asked = laptop.post(end, secure=True)
    assert asked.status_code == 200 and "End the session?" in asked.content.decode()
    assert phone.get("/", secure=True).status_code == 200  # asking ended nothing
    response = laptop.post(end, {"confirmed": "1"}, secure=True)
    assert response.status_code == 302
    assert phone.get("/", secure=True).status_code == 302  # signed out
    assert "_auth_user_id" not in phone.session
    assert laptop.get("/", secure=True).status_code == 200
    assert tablet.get("/", secure=True).status_code == 200


def test_ending_this_session_signs_out(demo):
    cache.clear()
    laptop = signed_in_client("127.0.0.2", "Laptop browser")
    end = f"/accounts/sessions/{_session_pk('Laptop browser')}/end/"
    asked = laptop.post(end, secure=True)
    assert asked.status_code == 200 and "End this session?" in asked.content.decode()
    assert "_auth_user_id" in laptop.session
    response = laptop.post(end, {"confirmed": "1"}, secure=True)
    assert response.status_code == 302
    assert "_auth_user_id" not in laptop.session


def test_another_person_s_session_cannot_be_ended(demo):
    cache.clear()
    mine = signed_in_client("127.0.0.2", "Mine")
    other = Client(REMOTE_ADDR="127.0.0.4", HTTP_USER_AGENT="Someone else's")
    other.post(
        "/accounts/login/",
        {"login": "member1@other-nv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    from allauth.usersessions.models import UserSession

    theirs = UserSession.objects.get(user__email="member1@other-nv.test")
    for data in ({}, {"confirmed": "1"}):
        response = mine.post(f"/accounts/sessions/{theirs.pk}/end/", data, secure=True)
        assert response.status_code == 404
    assert other.get("/", secure=True).status_code == 200


def test_sign_out_everywhere_ends_every_session_including_this_one(demo):
    cache.clear()
    laptop = signed_in_client("127.0.0.2", "Laptop browser")
    phone = signed_in_client("127.0.0.3", "Phone browser")
    page = laptop.get("/accounts/sessions/", secure=True).content.decode()
    assert 'data-testid="sign-out-everywhere"' in page
    assert laptop.get("/accounts/sessions/everywhere/end/", secure=True).status_code == 405
    asked = laptop.post("/accounts/sessions/everywhere/end/", secure=True)
    assert asked.status_code == 200 and "Sign out everywhere?" in asked.content.decode()
    assert phone.get("/", secure=True).status_code == 200  # asking ended nothing
    response = laptop.post("/accounts/sessions/everywhere/end/", {"confirmed": "1"}, secure=True)
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    for client in (laptop, phone):
        assert client.get("/", secure=True).status_code == 302
        assert "_auth_user_id" not in client.session
    from kluis.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="signin.signed_out_everywhere").exists()
    # A new sign-in afterwards works.
    assert signed_in_client("127.0.0.2", "Laptop browser").get("/", secure=True).status_code == 200
