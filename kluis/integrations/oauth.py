"""OAuth 2.0 with django-oauth-toolkit: which grants exist and which scopes a client gets.

Every DOT application belongs to one `ApiClient` (and so to one company). A token can carry
only scopes that client was given; the token endpoint answers `invalid_scope` for more.
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server

from kluis.access.permissions import API_SCOPES


def is_third_party_app(application: Any) -> bool:
    """An authorization-code app, connected by companies (not bound to one itself)."""
    return bool(application.authorization_grant_type == application.GRANT_AUTHORIZATION_CODE)


def client_scopes(application: Any) -> list[str]:
    """The scopes of the API client an application acts as (none when it has no client);
    a third-party app may ask for any scope (the consenting member's are checked)."""
    if application is None:
        return []
    if is_third_party_app(application):
        return list(API_SCOPES)
    from kluis.integrations.models import ApiClient

    client = ApiClient.objects.filter(oauth_application=application).first()
    if client is None or client.revoked_at is not None:
        return []
    return [scope for scope in client.scopes if scope in API_SCOPES]


def usable(application: Any) -> bool:
    """An application is usable while its API client is not revoked and its company active."""
    from kluis.integrations.models import ApiClient

    if is_third_party_app(application):
        return True
    return ApiClient.objects.filter(
        oauth_application=application, revoked_at__isnull=True, tenant__is_active=True
    ).exists()


class KluisValidator(OAuth2Validator):
    """DOT's validator, refusing applications whose API client was revoked (or whose
    company was deactivated): they authenticate nowhere and get no token."""

    def _load_application(self, client_id: str, request: Any) -> Any:
        application = super()._load_application(client_id, request)
        if application is not None and not usable(application):
            request.client = None
            return None
        return application


class ClientScopes:
    """DOT scopes backend: all Kluis API scopes exist; an application may ask for its
    client's scopes, and gets all of them when it asks for none."""

    def get_all_scopes(self) -> dict[str, str]:
        return {scope: scope for scope in API_SCOPES}

    def get_available_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return client_scopes(application)

    def get_default_scopes(
        self, application: Any = None, request: Any = None, *args: Any, **kwargs: Any
    ) -> list[str]:
        return client_scopes(application)


class KluisServer(Server):
    """oauthlib's server without the implicit, password and device grants: only
    authorization_code (with PKCE S256), client_credentials and refresh_token."""

    def __init__(self, request_validator: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(request_validator, *args, **kwargs)
        for grant in ("password", "urn:ietf:params:oauth:grant-type:device_code"):
            self._grant_types.pop(grant, None)
        self._response_types.pop("token", None)
        # PKCE with S256 only: "plain" is refused already when the app asks for consent.
        self.auth_grant._code_challenge_methods = {
            "S256": self.auth_grant._code_challenge_methods["S256"]
        }
