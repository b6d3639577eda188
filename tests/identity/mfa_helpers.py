"""Helpers of the MFA tests: real sign-ins through allauth's forms, TOTP codes from pyotp
(an implementation independent of allauth's)."""

from __future__ import annotations

import re
import time
from typing import Any

import pyotp
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.test import Client

from kluis.identity.models import User

PASSWORD = settings.DEMO_PASSWORD


def code(secret: str, *, offset: int = 0) -> str:
    """The current code (or the one `offset` steps away), never one about to expire: the
    server checks it within the same 30 s."""
    if 30 - time.time() % 30 < 2:
        time.sleep(2.5)
    return str(pyotp.TOTP(secret).at(time.time() + 30 * offset))


def password_step(client: Client, email: str, password: str = PASSWORD) -> Any:
    return client.post("/accounts/login/", {"login": email, "password": password}, secure=True)


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Enter the password again (allauth's re-authentication page)."""
    response = client.post("/accounts/reauthenticate/", {"password": password}, secure=True)
    assert response.status_code == 302, response.content.decode()[:2000]


def enrol_totp(client: Client) -> str:
    """Set up an authenticator app on the signed-in client's account; its secret."""
    reauthenticate(client)
    page = client.get("/accounts/2fa/totp/activate/", secure=True)
    assert page.status_code == 200, page
    html = page.content.decode()
    match = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"', html) or re.search(
        r'value="([A-Z2-7]{32})"', html
    )
    assert match, "the secret is shown next to the QR code"
    assert "data:image/svg+xml;base64," in html  # the QR code
    secret = match.group(1)
    response = client.post("/accounts/2fa/totp/activate/", {"code": code(secret)}, secure=True)
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def recovery_codes(user: User) -> list[str]:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return list(RecoveryCodes(authenticator).get_unused_codes())


def add_totp(user: User, secret: str | None = None) -> str:
    """An authenticator app on the account, as its set-up page makes it (and recovery codes)."""
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
    from allauth.mfa.totp.internal.auth import TOTP

    secret = secret or pyotp.random_base32(32)
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def sign_in_with_totp(email: str, secret: str, ip: str = "127.0.0.1") -> Client:
    client = Client(REMOTE_ADDR=ip)
    response = password_step(client, email)
    assert response.status_code == 302 and response["Location"].endswith("/2fa/authenticate/")
    assert not signed_in(client)
    response = client.post("/accounts/2fa/authenticate/", {"code": code(secret)}, secure=True)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert signed_in(client)
    return client
