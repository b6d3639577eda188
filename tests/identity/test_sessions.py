"""Sessions end after the company's idle timeout and, however active, after its absolute
lifetime (defaults 1 h and 12 h, KLUIS_SESSION_IDLE_SECONDS / KLUIS_SESSION_MAX_AGE_SECONDS);
signing in rotates the session key; signing out ends the session on the server."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client

from kluis.access.actor import Actor
from kluis.identity.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from kluis.identity.models import SignInPolicy
from kluis.identity.policy import policy_for
from kluis.identity.policy_service import change_policy
from kluis.tenancy.models import Tenant


def test_the_defaults_are_an_idle_hour_and_twelve_hours_at_most(demo):
    assert settings.SESSION_IDLE_SECONDS == 3600
    assert settings.SESSION_MAX_AGE_SECONDS == 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    fresh = policy_for(Tenant.objects.create(name="Fresh", slug="fresh"))
    assert (fresh.idle_timeout_seconds, fresh.absolute_lifetime_seconds) == (3600, 12 * 3600)


def _age(client: Client, key: str, seconds: int) -> None:
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


def _signed_out(client: Client) -> None:
    response = client.get("/", secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "_auth_user_id" not in client.session
    assert client.get("/", secure=True).status_code == 302


def test_session_older_than_the_absolute_lifetime_is_signed_out(demo, login):
    client = login("owner@demo-bv.test")
    assert client.get("/", secure=True).status_code == 200
    _age(client, SIGNED_IN_AT, settings.SESSION_MAX_AGE_SECONDS + 1)
    _signed_out(client)


def test_session_within_the_absolute_lifetime_stays_signed_in(demo, login):
    client = login("owner@demo-bv.test")
    client.get("/", secure=True)
    _age(client, SIGNED_IN_AT, settings.SESSION_MAX_AGE_SECONDS - 60)
    assert client.get("/", secure=True).status_code == 200


def test_session_idle_longer_than_the_timeout_is_signed_out(demo, login):
    client = login("owner@demo-bv.test")
    assert client.get("/", secure=True).status_code == 200
    _age(client, LAST_SEEN_AT, settings.SESSION_IDLE_SECONDS + 1)
    _signed_out(client)


def test_every_request_renews_the_idle_timeout(demo, login):
    client = login("owner@demo-bv.test")
    _age(client, LAST_SEEN_AT, settings.SESSION_IDLE_SECONDS - 60)
    assert client.get("/", secure=True).status_code == 200
    assert int(time.time()) - client.session[LAST_SEEN_AT] < 5


def _policy(tenant: Tenant, idle: int, absolute: int) -> None:
    change_policy(
        Actor.system("test", tenant),
        tenant,
        mfa_required_for=SignInPolicy.Mfa.OFF,
        idle_timeout_seconds=idle,
        absolute_lifetime_seconds=absolute,
    )


def test_the_company_s_own_idle_timeout_applies(demo, login):
    _policy(demo["demo-bv"], idle=10 * 60, absolute=3600)
    client = login("owner@demo-bv.test")
    _age(client, LAST_SEEN_AT, 9 * 60)
    assert client.get("/", secure=True).status_code == 200
    _age(client, LAST_SEEN_AT, 11 * 60)
    _signed_out(client)
    # Another company's people keep the defaults.
    other = login("owner@other-nv.test")
    _age(other, LAST_SEEN_AT, 11 * 60)
    assert other.get("/", secure=True).status_code == 200


def test_the_company_s_own_absolute_lifetime_applies(demo, login):
    _policy(demo["demo-bv"], idle=10 * 60, absolute=2 * 3600)
    client = login("owner@demo-bv.test")
    _age(client, SIGNED_IN_AT, 2 * 3600 - 60)
    assert client.get("/", secure=True).status_code == 200
    _age(client, SIGNED_IN_AT, 2 * 3600 + 1)
    _signed_out(client)


def test_the_active_company_decides_for_someone_of_two_companies(demo, login):
    _policy(demo["other-nv"], idle=5 * 60, absolute=3600)
    client = login("consultant@kluis.test", "demo-bv")
    _age(client, LAST_SEEN_AT, 30 * 60)
    assert client.get("/", secure=True).status_code == 200  # Demo BV: an idle hour
    client.post("/company/switch/", {"tenant": demo["other-nv"].pk, "next": "/"}, secure=True)
    _age(client, LAST_SEEN_AT, 6 * 60)
    _signed_out(client)  # Other NV: five idle minutes


def test_signing_in_rotates_the_session_key(demo):
    client = Client()
    client.get("/accounts/login/", secure=True)
    session = client.session  # an anonymous session, saved, with its cookie
    session["kluis_probe"] = "before"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=before).exists()
    response = client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.session["_auth_user_id"]


def test_signing_out_ends_the_session_on_the_server(demo):
    client = Client()
    client.post(
        "/accounts/login/",
        {"login": "owner@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/accounts/logout/", secure=True)
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/", secure=True).status_code == 302
