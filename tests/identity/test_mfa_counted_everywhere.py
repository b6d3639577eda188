"""Wrong second factors count on every path that checks one: the app client's (allauth
headless) code endpoint, and failed passkeys in the browser and the app alike."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django_tasks_db.models import DBTaskResult

from kluis.audit.models import AuditEvent
from kluis.identity.models import AddressFailures, SignInFailures, User

from .app_token_helpers import sign_in
from .mfa_helpers import PASSWORD, add_totp, code, password_step, signed_in

EMAIL = "member1@demo-bv.test"
ATTACKER = "127.0.0.9"
APP_2FA = "/auth/app/v1/auth/2fa/authenticate"
APP_PASSKEY_LOGIN = "/auth/app/v1/auth/webauthn/login"
# A well-formed assertion no authenticator of this server ever signed.
FORGED = {
    "id": "AAAA",
    "rawId": "AAAA",
    "type": "public-key",
    "response": {
        "clientDataJSON": "e30",
        "authenticatorData": "AAAA",
        "signature": "AAAA",
        "userHandle": "MQ",
    },
}


pytestmark = pytest.mark.usefixtures("fresh_signing_keys")


def user() -> User:
    return User.objects.get(email=EMAIL)


def app_post(path: str, body: dict[str, Any], token: str = "", ip: str = ATTACKER) -> Any:
    headers = {"HTTP_X_SESSION_TOKEN": token} if token else {}
    return Client(REMOTE_ADDR=ip).post(
        path, json.dumps(body), content_type="application/json", secure=True, **headers
    )


def app_password_step(ip: str = ATTACKER) -> str:
    """The app's password step for an account with a second factor: its session token."""
    response = sign_in(EMAIL, ip=ip)
    assert response.status_code == 401, response.content[:500]
    flows = {f["id"]: f for f in response.json()["data"]["flows"]}
    assert flows["mfa_authenticate"].get("is_pending")
    return str(response.json()["meta"]["session_token"])


def failures(ip: str = ATTACKER) -> int:
    row = SignInFailures.objects.filter(ip=ip).first()
    return row.failures if row else 0


def test_wrong_app_codes_count_and_block_like_the_browsers(
    demo, django_capture_on_commit_callbacks
):
    secret = add_totp(user())
    token = app_password_step()
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(10):
            response = app_post(APP_2FA, {"code": "000000"}, token)
            assert response.status_code == 400, response.content[:500]
            assert failures() == attempt + 1
            cache.clear()  # not allauth's flood guard: Kluis's own count is under test
    assert AuditEvent.objects.filter(action="signin.blocked", object_repr=EMAIL).exists()
    # Blocked: the right code from the attacker's address is refused before it is compared.
    response = app_post(APP_2FA, {"code": code(secret)}, token)
    assert response.status_code == 400
    assert "Too many failed sign-ins" in response.content.decode()
    assert DBTaskResult.objects.filter(task_path__endswith="send_unblock_link").count() == 1
    # The owner, from another address, signs in with the app.
    owner = app_password_step(ip="127.0.0.2")
    response = app_post(APP_2FA, {"code": code(secret)}, owner, ip="127.0.0.2")
    assert response.status_code == 200, response.content[:500]
    assert response.json()["meta"]["access_token"]


def test_a_right_app_code_starts_the_count_again(demo):
    secret = add_totp(user())
    token = app_password_step()
    app_post(APP_2FA, {"code": "000000"}, token)
    assert failures() == 1
    assert app_post(APP_2FA, {"code": code(secret)}, token).status_code == 200
    assert failures() == 0


@pytest.mark.parametrize("path", [APP_PASSKEY_LOGIN, "/accounts/2fa/webauthn/login/"])
def test_a_forged_passwordless_passkey_counts_against_the_address(demo, path):
    for _ in range(3):
        if path.startswith("/auth/"):
            response = app_post(path, {"credential": FORGED})
        else:
            response = Client(REMOTE_ADDR=ATTACKER).post(
                path, {"credential": json.dumps(FORGED)}, secure=True
            )
        assert response.status_code in (302, 400), response.status_code  # 302: to sign-in
        cache.clear()
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 3
    # Which account a passwordless assertion names is the attacker's choice: none is blocked.
    assert not SignInFailures.objects.exists()


def test_a_forged_passkey_as_second_factor_counts_against_the_account(demo):
    add_totp(user())
    browser = Client(REMOTE_ADDR=ATTACKER)
    password_step(browser, EMAIL)
    response = browser.post(
        "/accounts/2fa/authenticate/", {"credential": json.dumps(FORGED)}, secure=True
    )
    assert response.status_code == 200 and not signed_in(browser)
    assert failures() == 1
    assert AuditEvent.objects.filter(action="signin.failed", changes__method="passkey").exists()


def test_a_throttled_address_is_refused_passwordless_sign_in(demo, settings):
    settings.SIGNIN_ADDRESS_LIMIT = 2
    for _ in range(2):
        app_post(APP_PASSKEY_LOGIN, {"credential": FORGED})
        cache.clear()
    response = app_post(APP_PASSKEY_LOGIN, {"credential": FORGED})
    assert "Too many failed sign-ins" in response.content.decode()
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 2  # refused, not counted


def _blocked_from(ip: str) -> bool:
    return SignInFailures.objects.filter(ip=ip, blocked_at__isnull=False).exists()


def test_wrong_current_passwords_on_the_web_s_change_form_count(demo, login):
    """Someone at a signed-in browser guessing the current password on the change-password
    form is counted like a sign-in: ten wrong ones block the account from that address."""
    client = login(EMAIL)
    client.defaults["REMOTE_ADDR"] = ATTACKER
    for n in range(10):
        cache.clear()  # allauth's own per-minute limit is not under test
        answer = client.post(
            "/accounts/password/change/",
            {
                "oldpassword": f"a wrong guess number {n}",
                "password1": "a brand new passphrase for kluis",
                "password2": "a brand new passphrase for kluis",
            },
            secure=True,
        )
        assert answer.status_code in (200, 302)
        if answer.status_code == 302:  # allauth asks to re-authenticate first
            from .mfa_helpers import reauthenticate

            reauthenticate(client)
    assert _blocked_from(ATTACKER)
    assert User.objects.get(email=EMAIL).check_password(PASSWORD)


def test_wrong_current_passwords_at_the_app_s_change_endpoint_count(demo):
    meta = sign_in(EMAIL, ip=ATTACKER).json()["meta"]
    app = Client(REMOTE_ADDR=ATTACKER)
    for n in range(10):
        cache.clear()
        answer = app.post(
            "/auth/app/v1/account/password/change",
            json.dumps(
                {
                    "current_password": f"a wrong guess number {n}",
                    "new_password": "a brand new passphrase for kluis",
                }
            ),
            content_type="application/json",
            secure=True,
            HTTP_X_SESSION_TOKEN=meta["session_token"],
        )
        assert answer.status_code == 400, answer.content[:300]
    assert _blocked_from(ATTACKER)
    # Blocked: even the right current password is refused from that address now.
    cache.clear()
    refused = app.post(
        "/auth/app/v1/account/password/change",
        json.dumps({"current_password": PASSWORD, "new_password": "a brand new passphrase"}),
        content_type="application/json",
        secure=True,
        HTTP_X_SESSION_TOKEN=meta["session_token"],
    )
    assert refused.status_code == 400
    assert User.objects.get(email=EMAIL).check_password(PASSWORD)
