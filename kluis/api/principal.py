"""Who is calling the API: the principal an authenticator gives, and reading the
`Authorization` header. The authenticators themselves belong to the app that keeps the
credentials (kluis.integrations.credentials) and are named in settings
(REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]), so this package knows no domain app."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any

from rest_framework import exceptions
from rest_framework.request import Request

from kluis.access.actor import Actor

# An API key's first characters, stored in clear to find its row (and, here, to count a
# key's requests before it is looked up).
KEY_PREFIX_LENGTH = 12


@dataclass
class ApiPrincipal:
    """What DRF puts in `request.user` for an API request: the acting client."""

    actor: Actor
    client: Any  # the API client (kluis.integrations.models.ApiClient); None for an app
    key: Any = None  # the API key it came with, if any
    user: Any = None  # the member an app's access token signed in (kluis.identity)
    # The credential's lookup narrowed the connection to the company already (PostgreSQL).
    narrowed: bool = False
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def pk(self) -> int:
        return int(self.client.pk if self.client is not None else self.user.pk)


def bearer_token(request: Request) -> str | None:
    """The raw bearer token of the request, or None when there is no Authorization header
    or it uses the Basic scheme."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() == "basic":
        return None
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        raise exceptions.AuthenticationFailed("Send the API key as `Authorization: Bearer <key>`.")
    return token.strip()


def basic_credentials(request: Request) -> tuple[str, str] | None:
    """(client_id, secret) of an `Authorization: Basic` header; None for other schemes."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, value = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise exceptions.AuthenticationFailed(
            "Send `Authorization: Basic base64(client_id:secret)`."
        ) from None
    client_id, sep, secret = decoded.partition(":")
    if not sep or not client_id or not secret:
        raise exceptions.AuthenticationFailed(
            "Send `Authorization: Basic base64(client_id:secret)`."
        )
    return client_id, secret


def authenticate_header_for(request: Request) -> str:
    """The challenge for a 401: Basic to a Basic request, Bearer to anything else."""
    scheme = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0].lower()
    return 'Basic realm="api"' if scheme == "basic" else 'Bearer realm="api"'
