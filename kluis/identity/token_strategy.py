"""allauth headless's token strategy for Kluis's apps (settings.HEADLESS_TOKEN_STRATEGY).

allauth's own JWT strategy signs with one RS256 key from the settings and keeps refresh
tokens in the session, where a reused one is merely refused. This one keeps allauth's
flows and session handling and replaces the tokens with Kluis's (kluis/identity/app_tokens.py):
ES256 keys from the database with their `kid`, rotated, and refresh token families whose
reuse revokes them.
"""

from __future__ import annotations

from typing import Any

from allauth.core.internal.httpkit import authenticated_user
from allauth.headless.tokens.strategies.jwt import JWTTokenStrategy
from django.http import HttpRequest

from kluis.identity import app_tokens


class KluisTokenStrategy(JWTTokenStrategy):
    def get_session_token(self, request: HttpRequest) -> str | None:
        token = request.headers.get("x-session-token")
        if token:
            return token
        # allauth's endpoints (session, sign out, sessions) also take the access token.
        header = request.headers.get("authorization", "")
        scheme, _sep, credential = header.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            return None
        access = app_tokens.validate_access(credential.strip())
        if access is None:
            return None
        family = app_tokens.AppTokenFamily.objects.filter(pk=access.family_id).first()
        return family.session_key if family is not None else None

    def create_access_token_payload(self, request: HttpRequest) -> dict[str, Any] | None:
        """At sign-in: a new family for the session, its first access and refresh tokens."""
        user = authenticated_user(request)
        if not request.session.session_key:
            request.session.save()
        app_tokens.keep_session(request.session)
        family = app_tokens.start_family(user, request.session)
        return {
            "access_token": app_tokens.issue_access(family),
            "refresh_token": app_tokens.issue_refresh(family),
            "expires_in": app_tokens.access_lifetime(),
        }

    def create_access_token(self, request: HttpRequest) -> str | None:
        family = app_tokens.family_of_session(request.session)
        if family is None:
            user = authenticated_user(request)
            family = app_tokens.start_family(user, request.session)
        return app_tokens.issue_access(family)

    def refresh_token(self, refresh_token: str) -> tuple[str, str] | None:
        return app_tokens.refresh(refresh_token)
