"""An app sign-in is a session: ending it (the sessions page, signing out, deactivation)
revokes its tokens; and the app's sign-in endpoint has the same brute-force protection as
the web's, answered in JSON."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kluis.identity.app_tokens import revoke_app_tokens
from kluis.identity.models import AppTokenFamily, SignInFailures, User
from kluis.tenancy.models import Membership
from tests.api_client import assert_problem
from tests.identity.app_token_helpers import SESSION, api_get, refresh, sign_in, tokens

EMPLOYEES = "/api/v1/employees/"
EMAIL = "member1@demo-bv.test"
WRONG = "a wrong password, long enough"


pytestmark = pytest.mark.usefixtures("fresh_signing_keys")


def _dead(meta: dict[str, str]) -> bool:
    return (
        api_get(EMPLOYEES, meta["access_token"]).status_code == 401
        and refresh(meta["refresh_token"]).status_code != 200
    )


def test_ending_the_app_session_on_the_sessions_page_revokes_its_tokens(demo):
    app = tokens(EMAIL)
    assert api_get(EMPLOYEES, app["access_token"]).status_code == 200
    browser = Client(REMOTE_ADDR="127.0.0.2")
    browser.post(
        "/accounts/login/", {"login": EMAIL, "password": settings.DEMO_PASSWORD}, secure=True
    )
    page = browser.get("/accounts/sessions/", secure=True).content.decode()
    assert "127.0.0.5" in page  # the app's sign-in is listed with its address
    assert browser.post("/accounts/sessions/", secure=True).status_code == 200  # asked first
    assert api_get(EMPLOYEES, app["access_token"]).status_code == 200
    ended = browser.post("/accounts/sessions/", {"confirmed": "1"}, secure=True)
    assert ended.status_code == 302  # the other sessions end
    assert _dead(app)


def test_signing_out_of_the_app_revokes_its_tokens(demo):
    app = tokens(EMAIL)
    other = tokens(EMAIL)
    response = Client().delete(
        SESSION, secure=True, HTTP_AUTHORIZATION=f"Bearer {app['access_token']}"
    )
    assert response.status_code == 401  # allauth's answer: signed out
    assert _dead(app)
    assert api_get(EMPLOYEES, other["access_token"]).status_code == 200  # another device


def test_revoke_app_tokens_ends_every_app_sign_in_of_the_user(demo):
    first, second = tokens(EMAIL), tokens(EMAIL)
    bystander = tokens("member2@demo-bv.test")
    assert revoke_app_tokens(User.objects.get(email=EMAIL)) == 2
    assert _dead(first) and _dead(second)
    assert api_get(EMPLOYEES, bystander["access_token"]).status_code == 200
    assert not AppTokenFamily.objects.filter(user__email=EMAIL, revoked_at__isnull=True).exists()


def test_a_deactivated_member_s_token_is_refused(demo):
    app = tokens(EMAIL)
    Membership.objects.filter(user__email=EMAIL).update(is_active=False)
    assert_problem(api_get(EMPLOYEES, app["access_token"]), 401)
    User.objects.filter(email=EMAIL).update(is_active=False)
    assert refresh(app["refresh_token"]).status_code != 200


def test_app_sign_in_failures_count_and_block_like_the_web(demo):
    for _ in range(10):
        response = sign_in(EMAIL, WRONG, ip="127.0.0.9")
        assert response.status_code == 400
        cache.clear()  # allauth's own flood guard is not under test
    assert SignInFailures.objects.filter(ip="127.0.0.9", blocked_at__isnull=False).exists()
    blocked = sign_in(EMAIL, ip="127.0.0.9")  # the right password, from the blocked address
    assert blocked.status_code == 400
    assert blocked["Content-Type"] == "application/json"
    message = blocked.json()["errors"][0]["message"]
    assert "Too many failed sign-ins for this account from your network" in message
    assert "access_token" not in blocked.json().get("meta", {})
    # The member, from another address, is not locked out.
    assert sign_in(EMAIL, ip="127.0.0.2").status_code == 200


def test_an_address_spraying_accounts_gets_a_json_429(demo, settings):
    settings.SIGNIN_ADDRESS_LIMIT = 3
    for email in ("member1@demo-bv.test", "member2@demo-bv.test", "member3@demo-bv.test"):
        assert sign_in(email, WRONG, ip="127.0.0.9").status_code == 400
        cache.clear()
    response = sign_in("hr@demo-bv.test", ip="127.0.0.9")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert int(response["Retry-After"]) > 60
    body = response.json()
    assert body["status"] == 429 and body["errors"][0]["code"] == "too_many_attempts"
    assert sign_in("hr@demo-bv.test", ip="127.0.0.2").status_code == 200


def test_an_app_session_lasts_as_long_as_its_refresh_token_not_the_web_idle_timeout(demo):

    app = tokens(EMAIL)
    family = AppTokenFamily.objects.get(user__email=EMAIL)
    lasts = Session.objects.get(session_key=family.session_key).expire_date - timezone.now()
    assert lasts.total_seconds() > settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN - 60
    assert lasts.total_seconds() > settings.SESSION_COOKIE_AGE
    Session.objects.filter(session_key=family.session_key).update(
        expire_date=timezone.now() + dt.timedelta(minutes=5)
    )
    assert refresh(app["refresh_token"]).status_code == 200  # renews it
    lasts = Session.objects.get(session_key=family.session_key).expire_date - timezone.now()
    assert lasts.total_seconds() > settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN - 60


def test_a_sign_in_ends_after_its_absolute_lifetime_however_used(demo):
    app = tokens(EMAIL)
    AppTokenFamily.objects.filter(user__email=EMAIL).update(
        created_at=timezone.now()
        - dt.timedelta(seconds=settings.APP_TOKEN_FAMILY_MAX_AGE_SECONDS + 1)
    )
    assert _dead(app)


NEW_PASSWORD = "a brand new passphrase for the app"


def test_changing_the_password_in_the_app_ends_every_app_sign_in(demo):
    phone, laptop = tokens(EMAIL), tokens(EMAIL)
    response = Client().post(
        "/auth/app/v1/account/password/change",
        json.dumps({"current_password": settings.DEMO_PASSWORD, "new_password": NEW_PASSWORD}),
        content_type="application/json",
        secure=True,
        HTTP_AUTHORIZATION=f"Bearer {phone['access_token']}",
    )
    assert response.status_code == 200, response.content[:300]
    assert _dead(laptop) and _dead(phone)
    assert User.objects.get(email=EMAIL).check_password(NEW_PASSWORD)
    # The app signs in again with the new password.
    assert api_get(EMPLOYEES, tokens(EMAIL, NEW_PASSWORD)["access_token"]).status_code == 200


def test_a_password_reset_ends_every_app_sign_in(demo):
    from allauth.account.signals import password_reset

    app = tokens(EMAIL)
    user = User.objects.get(email=EMAIL)
    # What allauth sends when a reset link sets a new password (a web request).
    password_reset.send(sender=User, request=None, user=user)
    assert _dead(app)


def test_deactivating_a_member_ends_their_app_sign_ins_at_once(demo):
    """HR deactivates the member (the service behind the Members page): the app's access
    token, its refresh token and its session all stop at once."""
    from kluis.access.actor import Actor
    from kluis.company.services.deactivation import deactivate_member

    app = tokens(EMAIL)
    membership = Membership.objects.get(user__email=EMAIL, tenant=demo["demo-bv"])
    hr = Membership.objects.get(user__email="hr@demo-bv.test", tenant=demo["demo-bv"])
    deactivate_member(Actor.for_member(hr), membership)
    assert _dead(app)
    session = Client().get(SESSION, secure=True, HTTP_X_SESSION_TOKEN=app["session_token"])
    assert session.status_code in (401, 410)  # signed out, or the session is gone
