"""TOTP and recovery codes: set up with a QR code, a code is accepted only once, recovery
codes are single-use, wrong codes count like wrong passwords (blocked after 10 from that
address), and every factor used, added or removed is audited. Codes from pyotp."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core.cache import cache
from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.identity.models import User
from tests.identity.mfa_helpers import (
    PASSWORD,
    add_totp,
    code,
    enrol_totp,
    password_step,
    recovery_codes,
    sign_in_with_totp,
    signed_in,
)

EMAIL = "member1@demo-bv.test"
ATTACKER = "127.0.0.9"
OFFICE = "127.0.0.2"


def user() -> User:
    return User.objects.get(email=EMAIL)


# Transactional: allauth audits and e-mails a new factor once its transaction commits.
@pytest.mark.django_db(transaction=True)
def test_enrol_with_the_qr_code_then_sign_in_needs_the_code(demo, login, mailoutbox):
    client = login(EMAIL)
    menu = client.get("/", secure=True).content.decode()
    assert "/accounts/2fa/" in menu  # "Two-factor authentication" in the user menu
    secret = enrol_totp(client)
    assert any(EMAIL in m.to for m in mailoutbox)  # allauth tells the owner
    assert Authenticator.objects.filter(user=user(), type="totp").exists()
    assert Authenticator.objects.filter(user=user(), type="recovery_codes").exists()
    events = AuditEvent.objects.filter(object_repr=EMAIL)
    assert events.filter(action="mfa.totp_added").exists()

    fresh = Client()
    response = password_step(fresh, EMAIL)
    assert response["Location"].endswith("/accounts/2fa/authenticate/")
    assert not signed_in(fresh)  # the password alone is not enough
    cache.clear()
    sign_in_with_totp(EMAIL, secret)
    signin = events.filter(action="signin.succeeded").latest("pk")
    assert signin.changes["method"] == "password+totp"


def test_a_code_is_accepted_only_once(demo):
    secret = add_totp(user())
    first = Client()
    password_step(first, EMAIL)
    once = code(secret)
    assert first.post("/accounts/2fa/authenticate/", {"code": once}, secure=True).status_code == 302
    assert signed_in(first)
    second = Client()  # someone who saw the code over the shoulder, in the same 30 s
    password_step(second, EMAIL)
    response = second.post("/accounts/2fa/authenticate/", {"code": once}, secure=True)
    assert response.status_code == 200 and not signed_in(second)
    assert "Incorrect code" in response.content.decode()


def test_a_code_is_accepted_only_once_by_every_process_and_endpoint(demo):
    """The code used on the web is refused to an app (allauth headless) even when the
    cache no longer has allauth's mark: without Redis each web process's file cache adds
    marks non-atomically and culls them at random, which let two processes accept one
    code (found with concurrent requests against `kluis up --workers 2`)."""
    import json

    secret = add_totp(user())
    once = code(secret)
    web = Client()
    password_step(web, EMAIL)
    assert web.post("/accounts/2fa/authenticate/", {"code": once}, secure=True).status_code == 302
    assert signed_in(web)
    cache.clear()  # the mark another process never saw, or the cache culled
    app = Client()
    started = app.post(
        "/auth/app/v1/auth/login",
        json.dumps({"email": EMAIL, "password": PASSWORD}),
        content_type="application/json",
        secure=True,
    )
    assert started.status_code == 401  # the second factor is asked for
    token = started.json()["meta"]["session_token"]
    replayed = app.post(
        "/auth/app/v1/auth/2fa/authenticate",
        json.dumps({"code": once}),
        content_type="application/json",
        secure=True,
        HTTP_X_SESSION_TOKEN=token,
    )
    assert replayed.status_code == 400, replayed.content[:300]
    assert replayed.json()["errors"][0]["code"] == "incorrect_code"


def test_a_recovery_code_works_once(demo):
    add_totp(user())
    spare = recovery_codes(user())[0]
    client = Client()
    password_step(client, EMAIL)
    client.post("/accounts/2fa/authenticate/", {"code": spare}, secure=True)
    assert signed_in(client)
    assert spare not in recovery_codes(user())
    method = AuditEvent.objects.filter(action="signin.succeeded").latest("pk").changes["method"]
    assert method == "password+recovery_codes"
    again = Client()
    password_step(again, EMAIL)
    response = again.post("/accounts/2fa/authenticate/", {"code": spare}, secure=True)
    assert response.status_code == 200 and not signed_in(again)


def wrong_codes(client: Client, times: int) -> None:
    for _ in range(times):
        response = client.post("/accounts/2fa/authenticate/", {"code": "000000"}, secure=True)
        assert response.status_code == 200 and not signed_in(client)
        cache.clear()  # not allauth's flood guard: Kluis's own counts are under test


def test_ten_wrong_codes_block_the_account_from_that_address(demo, mailoutbox):
    secret = add_totp(user())
    attacker = Client(REMOTE_ADDR=ATTACKER)  # knows the password, not the second factor
    password_step(attacker, EMAIL)
    wrong_codes(attacker, 10)
    response = attacker.post("/accounts/2fa/authenticate/", {"code": code(secret)}, secure=True)
    assert not signed_in(attacker)  # refused before the code is even looked at
    assert "Too many failed sign-ins" in response.content.decode()
    again = Client(REMOTE_ADDR=ATTACKER)
    assert "Too many failed sign-ins" in password_step(again, EMAIL).content.decode()
    assert AuditEvent.objects.filter(action="signin.blocked", object_repr=EMAIL).exists()
    assert AuditEvent.objects.filter(
        action="signin.failed", changes__method="second factor code"
    ).exists()
    # The owner, from their office, is not locked out.
    sign_in_with_totp(EMAIL, secret, ip=OFFICE)


def test_a_right_password_does_not_start_the_code_count_again(demo):
    add_totp(user())
    attacker = Client(REMOTE_ADDR=ATTACKER)
    password_step(attacker, EMAIL)
    wrong_codes(attacker, 9)
    attacker = Client(REMOTE_ADDR=ATTACKER)
    password_step(attacker, EMAIL)  # the password is right: still no new guesses
    wrong_codes(attacker, 1)
    retry = Client(REMOTE_ADDR=ATTACKER)
    assert "Too many failed sign-ins" in password_step(retry, EMAIL).content.decode()


def test_removing_the_authenticator_app_is_audited(demo, login):
    client = login(EMAIL)
    enrol_totp(client)
    response = client.post("/accounts/2fa/totp/deactivate/", secure=True)
    assert response.status_code == 302
    assert not Authenticator.objects.filter(user=user()).exists()
    removed = AuditEvent.objects.filter(action="mfa.removed", object_repr=EMAIL)
    assert {e.changes["factor"] for e in removed} == {"totp", "recovery_code"}


@pytest.mark.django_db(transaction=True)
def test_regenerating_recovery_codes_is_audited(demo, login):
    client = login(EMAIL)
    enrol_totp(client)
    old = set(recovery_codes(user()))
    response = client.post("/accounts/2fa/recovery-codes/generate/", secure=True)
    assert response.status_code == 302
    assert not old & set(recovery_codes(user()))
    assert AuditEvent.objects.filter(
        action="mfa.recovery_codes_generated", object_repr=EMAIL
    ).exists()


def test_opening_the_e_mail_page_does_not_bar_enrolment(demo, login):
    """allauth's e-mail page records the login address as unverified; Kluis has no sign-up,
    so that must not keep anyone from setting up a second factor."""
    from allauth.account.models import EmailAddress

    client = login(EMAIL)
    assert client.get("/accounts/email/", secure=True).status_code == 200
    assert EmailAddress.objects.filter(user=user(), verified=False).exists()
    enrol_totp(client)
    assert Authenticator.objects.filter(user=user(), type="totp").exists()
