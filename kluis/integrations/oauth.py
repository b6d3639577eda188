"""OAuth 2.0 with django-oauth-toolkit: which grants exist and which scopes a client gets.

Every DOT application belongs to one `ApiClient` (and so to one company). A token can carry
only scopes that client was given; the token endpoint answers `invalid_scope` for more.

Issuing, refreshing and revoking a token is audited in the client's company, in the same
transaction as DOT's token write (`KluisValidator`): who (the API client), what (grant type,
scopes, the token's row id), from where (IP, request id); never the token, its checksum or
the client secret. A refused request (wrong secret, bad code) writes no audit row (an
attacker could fill the log with them; the endpoints are rate limited): it is logged.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from django.db import router, transaction
from django.http import HttpRequest
from oauth2_provider.oauth2_backends import OAuthLibCore
from oauth2_provider.oauth2_validators import OAuth2Validator
from oauthlib.oauth2 import Server
from oauthlib.oauth2.rfc6749.errors import InvalidGrantError

from kluis.access.actor import Actor
from kluis.access.permissions import API_SCOPES
from kluis.audit.services import record
from kluis.identity import brute_force
from kluis.operations.client_ip import client_ip

if TYPE_CHECKING:
    from kluis.integrations.models import ApiClient

logger = logging.getLogger("kluis.integrations.oauth")

# The header our token and revocation views hand the request id to the validator in (a
# name no client can send: request headers arrive as HTTP_*).
REQUEST_ID_HEADER = "Kluis-Request-Id"


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


def api_client_of(application: Any, user_id: int | None) -> ApiClient | None:
    """The API client a token of `application` acts as: a client-credentials app's own
    client, or for a token issued to a member, the company connection that member made."""
    from kluis.integrations.models import ApiClient, OAuthConnection

    if application is None:
        return None
    if user_id is None:
        return (
            ApiClient.objects.select_related("tenant").filter(oauth_application=application).first()
        )
    connection = (
        OAuthConnection.objects.select_related("api_client", "api_client__tenant")
        .filter(application=application, user_id=user_id, revoked_at__isnull=True)
        .first()
    )
    return connection.api_client if connection is not None else None


class KluisOAuthLibCore(OAuthLibCore):
    """DOT's bridge to oauthlib, also handing the request id to the validator (oauthlib
    passes the request's META on as headers, but not Django's request)."""

    def extract_headers(self, request: HttpRequest) -> dict[str, Any]:
        headers: dict[str, Any] = super().extract_headers(request)
        headers[REQUEST_ID_HEADER] = str(getattr(request, "request_id", ""))
        return headers


def _actor(client: ApiClient, request: Any) -> Actor:
    headers = request.headers or {}
    return Actor.for_api_client(
        client, ip=client_ip(headers), request_id=str(headers.get(REQUEST_ID_HEADER) or "")
    )


def _token_repr(client: ApiClient, application: Any) -> str:
    return f"{client.name} ({application.client_id})"


def _attempted_client_id(validator: OAuth2Validator, request: Any) -> str:
    """The client id a token request names, in its Basic header or its body."""
    encoded = validator._extract_basic_auth(request)
    if encoded:
        try:
            decoded = base64.b64decode(encoded).decode("utf-8", "replace")
        except (binascii.Error, ValueError):
            return ""
        return unquote_plus(decoded.partition(":")[0])[:100]
    return str(getattr(request, "client_id", "") or "")[:100]


class KluisValidator(OAuth2Validator):
    """DOT's validator, refusing applications whose API client was revoked (or whose
    company was deactivated): they authenticate nowhere and get no token. Token writes are
    audited in the same transaction."""

    def authenticate_client(self, request: Any, *args: Any, **kwargs: Any) -> bool:
        """A client's secret at the token endpoint, with the brute-force counts of sign-in
        (kluis/identity/brute_force.py): a client id blocked from this address, or an
        address that failed too often, is refused before the secret is hashed."""
        client_id = _attempted_client_id(self, request)
        if not client_id:
            return bool(super().authenticate_client(request, *args, **kwargs))
        from kluis.integrations.credentials import audit_for_client, tenants_of_client

        ip = client_ip(request.headers or {})
        attempt = f"oauth:{client_id}"
        try:
            brute_force.check(attempt, ip)
        except brute_force.SignInRefused:
            return False
        if super().authenticate_client(request, *args, **kwargs):
            brute_force.succeeded(attempt, ip)
            return True
        brute_force.failed(
            attempt,
            ip,
            audit=audit_for_client(client_id, oauth=True),
            tenant_ids=tenants_of_client(client_id, oauth=True),
        )
        return False

    def _load_application(self, client_id: str, request: Any) -> Any:
        application = super()._load_application(client_id, request)
        if application is not None and not usable(application):
            request.client = None
            return None
        return application

    def save_bearer_token(
        self, token: dict[str, Any], request: Any, *args: Any, **kwargs: Any
    ) -> None:
        """DOT's token write and its audit event in one transaction: no token without its
        event. A token for an app that acts as no client (a connection revoked meanwhile)
        is refused and nothing is kept."""
        from oauth2_provider.models import get_access_token_model

        access_token_model = get_access_token_model()
        with transaction.atomic(using=router.db_for_write(access_token_model)):
            self._save_bearer_token(token, request, *args, **kwargs)
            checksum = hashlib.sha256(str(token["access_token"]).encode()).hexdigest()
            access = (
                access_token_model.objects.filter(
                    token_checksum=checksum, application=request.client
                )
                .only("pk", "user_id", "scope", "expires")
                .first()
            )
            client = api_client_of(request.client, access.user_id if access else None)
            if access is None or client is None or client.revoked_at is not None:
                raise InvalidGrantError(request=request)
            grant_type = str(request.grant_type)
            record(
                _actor(client, request),
                "oauth_token.refreshed" if grant_type == "refresh_token" else "oauth_token.issued",
                tenant=client.tenant,
                target=client,
                object_repr=_token_repr(client, request.client),
                changes={
                    "grant_type": {"old": None, "new": grant_type},
                    "scopes": {"old": None, "new": str(access.scope).split()},
                    "access_token": {"old": None, "new": access.pk},
                    "expires": {"old": None, "new": access.expires.isoformat()},
                },
            )

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Any, *args: Any, **kwargs: Any
    ) -> None:
        """DOT's revocation and its audit event in one transaction. A token that is unknown,
        another client's or already revoked changes nothing and records nothing (the
        endpoint answers 200 either way, RFC 7009)."""
        from oauth2_provider.models import get_access_token_model, get_refresh_token_model

        application = request.client
        if getattr(application, "pk", None) is None:
            return
        access_model, refresh_model = get_access_token_model(), get_refresh_token_model()
        lookup = {
            "token_checksum": hashlib.sha256(token.encode()).hexdigest(),
            "application_id": application.pk,
        }
        with transaction.atomic(using=router.db_for_write(access_model)):
            access = access_model.objects.select_for_update().filter(**lookup).first()
            refresh = (
                refresh_model.objects.select_for_update()
                .filter(revoked__isnull=True, **lookup)
                .first()
            )
            super().revoke_token(token, token_type_hint, request, *args, **kwargs)
            revoked = [
                (kind, row)
                for kind, row, model in (
                    ("access_token", access, access_model),
                    ("refresh_token", refresh, refresh_model),
                )
                if row is not None
                and not model.objects.filter(pk=row.pk, **_still_active(model)).exists()
            ]
            if not revoked:
                return
            row = revoked[0][1]
            client = api_client_of(application, row.user_id)
            if client is None:
                logger.warning("oauth token revoked for app %s without a client", application.pk)
                return
            record(
                _actor(client, request),
                "oauth_token.revoked",
                tenant=client.tenant,
                target=client,
                object_repr=_token_repr(client, application),
                changes={name: {"old": found.pk, "new": None} for name, found in revoked},
            )


def _still_active(model: Any) -> dict[str, Any]:
    """Access tokens are deleted when revoked; refresh tokens get a `revoked` instant."""
    from oauth2_provider.models import get_refresh_token_model

    return {"revoked__isnull": True} if model is get_refresh_token_model() else {}


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
