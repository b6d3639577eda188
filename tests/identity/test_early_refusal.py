"""A throttled address's sign-in attempts are refused before the request is read
(kluis/identity/early_refusal.py): a 429 with Retry-After in the reader's language, for the
sign-in page, the second factor, passkeys, codes, password reset, invitations and apps;
one statement, no session, no form, no password hash. An address on a company's allow
list is decided by the views (the account an attempt names), and a page is still shown."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import hashers
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from kluis.access.actor import Actor
from kluis.identity import brute_force
from kluis.identity.models import SignInPolicy
from kluis.identity.policy_service import change_policy
from kluis.operations.metrics import SIGNIN_REFUSED

THROTTLED = "127.0.0.9"
ELSEWHERE = "127.0.0.2"
VICTIM = "hr@demo-bv.test"
ATTEMPTS = [
    "/accounts/login/",
    "/accounts/login/code/confirm/",
    "/accounts/password/reset/",
    "/accounts/2fa/authenticate/",
    "/accounts/2fa/webauthn/login/",
    "/accounts/invitation/made-up-token/",
]
APP_ATTEMPTS = [
    "/auth/app/v1/auth/login",
    "/auth/app/v1/auth/2fa/authenticate",
    "/auth/app/v1/auth/webauthn/login",
    "/auth/app/v1/auth/code/confirm",
    "/auth/app/v1/auth/password/request",
]


def _throttle(ip: str = THROTTLED) -> None:
    for i in range(brute_force.THROTTLE_AFTER):
        brute_force.failed(f"sprayed{i}@demo-bv.test", ip)


def _post(path: str, ip: str = THROTTLED, language: str = "en") -> Any:
    with translation.override("en"):
        return Client(REMOTE_ADDR=ip).post(
            path,
            {"login": VICTIM, "password": "a guess"},
            secure=True,
            headers={"accept-language": language},
        )


@pytest.mark.parametrize("path", ATTEMPTS)
def test_a_throttled_address_is_refused_before_anything_is_read(demo, monkeypatch, path):
    _throttle()
    hashed: list[str] = []
    monkeypatch.setattr(hashers, "check_password", lambda *a, **k: hashed.append("x"))
    refused_before = SIGNIN_REFUSED.labels("throttled")._value.get()
    with CaptureQueriesContext(connection) as queries:
        response = _post(path)
    assert response.status_code == 429
    assert b"Too many failed sign-ins came from your network" in response.content
    assert 0 < int(response["Retry-After"]) <= 14 * 60 + 24
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert response.get("Content-Security-Policy")  # the site's headers all the same
    assert not response.cookies  # no session, no CSRF cookie
    assert len(queries) == 1  # the address's count, nothing else
    assert hashed == []
    assert SIGNIN_REFUSED.labels("throttled")._value.get() == refused_before + 1


@pytest.mark.parametrize("path", APP_ATTEMPTS)
def test_an_app_from_a_throttled_address_gets_allauths_json(demo, path):
    _throttle()
    with translation.override("en"):
        response = Client(REMOTE_ADDR=THROTTLED).post(
            path,
            json.dumps({"email": VICTIM, "password": "a guess"}),
            content_type="application/json",
            secure=True,
        )
    assert response.status_code == 429
    body = response.json()
    assert body["status"] == 429
    assert body["errors"][0]["code"] == "too_many_attempts"
    assert "Try again in" in body["errors"][0]["message"]
    assert int(response["Retry-After"]) > 0


def test_the_refusal_speaks_the_readers_language(demo):
    _throttle()
    response = _post("/accounts/login/", language="nl")
    assert response.status_code == 429
    assert response["Content-Language"] == "nl"
    page = response.content.decode()
    assert 'lang="nl"' in page
    assert "Too many failed sign-ins" not in page
    response = _post("/accounts/login/", language="fr")
    assert response["Content-Language"] == "fr"
    assert "Too many failed sign-ins" not in response.content.decode()


def test_other_addresses_and_other_requests_go_on(demo):
    _throttle()
    # Another address signs in.
    client = Client(REMOTE_ADDR=ELSEWHERE)
    client.post(
        "/accounts/login/", {"login": VICTIM, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert "_auth_user_id" in client.session
    # The throttled address may still read the sign-in page (only attempts are refused).
    assert Client(REMOTE_ADDR=THROTTLED).get("/accounts/login/", secure=True).status_code == 200
    # One attempt per 14.4 minutes: once the interval is over, the attempt is read.
    from kluis.identity.models import AddressFailures

    address = AddressFailures.objects.get(ip=THROTTLED)
    address.last_failure_at -= brute_force.THROTTLE_INTERVAL
    address.save()
    assert _post("/accounts/login/").status_code == 200  # the form, with its error


def test_an_address_on_an_allow_list_is_left_to_the_views(demo):
    _throttle()
    change_policy(
        Actor.system("test", demo["demo-bv"]),
        demo["demo-bv"],
        mfa_required_for=SignInPolicy.Mfa.OFF,
        idle_timeout_seconds=3600,
        absolute_lifetime_seconds=12 * 3600,
        allowed_networks=["127.0.0.0/24"],
    )
    assert brute_force.throttled_wait(THROTTLED) is None
    # The company's own account signs in from its office...
    client = Client(REMOTE_ADDR=THROTTLED)
    client.post(
        "/accounts/login/", {"login": VICTIM, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert "_auth_user_id" in client.session
    # ...and another company's account from there is still throttled, by the view.
    with translation.override("en"):
        response = Client(REMOTE_ADDR=THROTTLED).post(
            "/accounts/login/",
            {"login": "hr@other-nv.test", "password": settings.DEMO_PASSWORD},
            secure=True,
        )
    assert response.status_code == 429


def test_no_address_or_a_malformed_one_is_never_refused_early(demo):
    _throttle()
    assert brute_force.throttled_wait(None) is None
    assert brute_force.throttled_wait("not an address") is None
    assert brute_force.throttled_wait(ELSEWHERE) is None
    assert brute_force.throttled_wait(THROTTLED) is not None
