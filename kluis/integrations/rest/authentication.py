"""`Authorization: Bearer kluis_...`: the API's credential. Anything wrong with the key
(unknown, malformed, expired, revoked, company deactivated) is the same 401, so the answer
reveals nothing about which keys exist."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kluis.access.actor import Actor
from kluis.integrations.keys import find_key
from kluis.integrations.models import ApiKey

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


@dataclass
class ApiPrincipal:
    """What DRF puts in `request.user` for an API request: the acting client."""

    actor: Actor
    key: ApiKey
    is_authenticated: bool = True
    is_anonymous: bool = False

    @property
    def pk(self) -> int:
        return self.key.client_id


def bearer_token(request: Request) -> str | None:
    """The raw bearer token of the request, or None when there is no Authorization header."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip() or " " in token.strip():
        raise exceptions.AuthenticationFailed("Send the API key as `Authorization: Bearer <key>`.")
    return token.strip()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiKey] | None:
        token = bearer_token(request)
        if token is None:
            return None
        key = find_key(token)
        now = timezone.now()
        if (
            key is None
            or key.revoked_at is not None
            or key.client.revoked_at is not None
            or (key.expires_at is not None and key.expires_at <= now)
            or not key.client.tenant.is_active
        ):
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        actor = Actor.for_api_client(
            key.client,
            ip=request.META.get("REMOTE_ADDR"),
            request_id=getattr(request._request, "request_id", ""),
        )
        return ApiPrincipal(actor=actor, key=key), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
