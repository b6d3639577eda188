"""allauth's socialaccount glue: each company's provider is served from our table as a
SocialApp of the `openid_connect` provider with its own id (`kluis-<pk>`), driven by the
strict provider of kluis/identity/sso/oidc.py; who signs in is decided in matching.py."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from kluis.identity.sso import matching
from kluis.identity.sso.oidc import KluisOIDCProvider, SsoRefused
from kluis.identity.sso.selectors import provider_by_id, social_app


class KluisSocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(
        self, request: HttpRequest | None, provider: Any = None, client_id: Any = None
    ) -> list[SocialApp]:
        """Only a company's own provider, asked for by its id: no list of every company's
        provider (the sign-in page routes by e-mail domain instead)."""
        found = provider_by_id(str(provider or ""))
        if found is None:
            return []
        app = social_app(found)
        return [app] if client_id is None or client_id == app.client_id else []

    def get_provider(self, request: HttpRequest, provider: Any, client_id: Any = None) -> Any:
        app = self.get_app(request, provider=provider, client_id=client_id)
        return KluisOIDCProvider(request, app=app)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False  # accounts are made by the company (or just in time, in matching)

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        matching.match(request, sociallogin)

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        """A failed callback (a refused token, a replayed or unknown `state`, an error
        from the provider) counts against the address like a wrong password."""
        state = (extra_context or {}).get("state") or {}
        login = str(state.get("login") or "") if isinstance(state, dict) else ""
        reason = exception.reason if isinstance(exception, SsoRefused) else str(error or "error")
        if state == {} and "state_id" in (extra_context or {}):
            reason = "unknown or used state"
        found = provider_by_id(str(getattr(getattr(provider, "app", None), "provider_id", "")))
        matching.failed(request, found, login, reason)

    def validate_disconnect(self, account: Any, accounts: Any) -> None:
        raise ValidationError(
            _("This sign-in is managed by your company: ask its owner to change single sign-on.")
        )
