"""Signing an app in through allauth headless (the "app" client) over real HTTP."""

from __future__ import annotations

import base64
import json
from typing import Any

from django.conf import settings
from django.test import Client

LOGIN = "/auth/app/v1/auth/login"
REFRESH = "/auth/app/v1/tokens/refresh"
SESSION = "/auth/app/v1/auth/session"
JWKS = "/auth/app/jwks.json"


def app_client(ip: str = "127.0.0.5") -> Client:
    return Client(REMOTE_ADDR=ip, enforce_csrf_checks=True)


def sign_in(email: str, password: str | None = None, ip: str = "127.0.0.5") -> Any:
    """allauth headless's login as an app makes it: JSON, no cookies, no CSRF token."""
    return app_client(ip).post(
        LOGIN,
        json.dumps({"email": email, "password": password or settings.DEMO_PASSWORD}),
        content_type="application/json",
        secure=True,
    )


def tokens(email: str, password: str | None = None) -> dict[str, Any]:
    """(access_token, refresh_token, session_token) of a successful app sign-in."""
    response = sign_in(email, password)
    assert response.status_code == 200, response.content[:500]
    meta = response.json()["meta"]
    assert meta["is_authenticated"] is True
    return meta


def reauthenticate(session_token: str, password: str | None = None) -> Any:
    """The app confirms its password again (allauth headless) for a step-up action."""
    return Client().post(
        "/auth/app/v1/auth/reauthenticate",
        json.dumps({"password": password or settings.DEMO_PASSWORD}),
        "application/json",
        secure=True,
        HTTP_X_SESSION_TOKEN=session_token,
    )


def refresh(refresh_token: str) -> Any:
    return app_client().post(
        REFRESH,
        json.dumps({"refresh_token": refresh_token}),
        content_type="application/json",
        secure=True,
    )


def api_get(path: str, access_token: str, **headers: str) -> Any:
    return Client().get(path, secure=True, HTTP_AUTHORIZATION=f"Bearer {access_token}", **headers)


def part(token: str, index: int) -> dict[str, Any]:
    """The JSON of a JWT's header (0) or payload (1), read without verifying."""
    segment = token.split(".")[index]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
