"""A person sees where they are signed in (address, browser, since when) and can sign out
every other session (allauth's user sessions)."""

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
    assert "_auth_user_id" in phone.session
    response = laptop.post("/accounts/sessions/", secure=True)
    assert response.status_code == 302
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
