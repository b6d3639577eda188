"""The API's credentials, each belonging to one API client of one company:

- `Authorization: Bearer kluis_...`: an API key;
- `Authorization: Bearer <jwt>`: an app's access token (a member signed in through an app,
  kluis/identity/app_tokens.py): the member acts with their own roles;
- `Authorization: Bearer <token>`: an OAuth 2.0 access token (django-oauth-toolkit);
- `Authorization: Basic base64(client_id:secret)`: the client's id and secret.

Anything wrong with a credential (unknown, malformed, expired, revoked, company
deactivated) is the same 401, so the answer reveals nothing about which credentials exist.
Named in settings (REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"]); the API pipeline
(kluis.api) narrows the database connection to the client's company after authenticating.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from kluis.access.actor import Actor
from kluis.api.principal import ApiPrincipal, basic_credentials, bearer_token
from kluis.audit.services import record
from kluis.identity import app_tokens, brute_force, policy
from kluis.integrations import basic, bearer
from kluis.integrations.keys import (
    KeyFacts,
    key_facts,
    key_is_usable,
    looks_like_a_key,
)
from kluis.integrations.models import ApiClient, ApiKey, OAuthConnection
from kluis.operations.client_ip import client_ip
from kluis.tenancy.models import Membership
from kluis.tenancy.selectors import memberships_of_user

LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _request_id(request: Request) -> str:
    return getattr(request._request, "request_id", "")


def refuse_guessing(attempt: str, ip: str | None) -> None:
    """429 for a client id blocked from this address, or an address that failed too often
    (kluis/identity/brute_force.py), before any secret is compared."""
    try:
        brute_force.check(attempt, ip)
    except brute_force.AddressThrottled as throttled:
        raise exceptions.Throttled(
            wait=throttled.wait.total_seconds(),
            detail="Too many failed attempts from your address.",
        ) from None
    except brute_force.AccountBlocked:
        raise exceptions.Throttled(
            detail="Too many failed attempts for this client from your address."
        ) from None


def audit_for_client(client_id: str, *, oauth: bool = False) -> brute_force.Audit:
    """Record a block of guessing a client's secret in the client's company's audit log
    (none for an id no client has); `oauth`: the id of its OAuth application."""

    def audit(action: str, changes: dict[str, object]) -> None:
        lookup = {"oauth_application__client_id" if oauth else "client_id": client_id}
        client = ApiClient.objects.select_related("tenant").filter(**lookup).first()
        if client is not None:
            record(
                Actor.system("sign-in protection", client.tenant),
                action.replace("signin.", "api_client.secret_"),
                tenant=client.tenant,
                target=client,
                changes=changes,
            )

    return audit


def tenants_of_client(client_id: str, *, oauth: bool = False) -> list[int]:
    """The company of the client an id names (none for an id no client has): told when an
    address guessing secrets is throttled."""
    lookup = {"oauth_application__client_id" if oauth else "client_id": client_id}
    return list(ApiClient.objects.filter(**lookup).values_list("tenant_id", flat=True)[:1])


def usable_key(token: str) -> KeyFacts | None:
    """The key `token` is, if it may be used now: not revoked, not expired, its client not
    revoked and its company active (None otherwise); its last-used time brought up to date
    (to the minute, so that not every request writes)."""
    key = key_facts(token)
    now = timezone.now()
    if key is None or not key_is_usable(
        key.revoked_at, key.client.revoked_at, key.expires_at, key.tenant.is_active, now
    ):
        return None
    mark_used(key.key_id, key.last_used_at, now)
    return key


def mark_used(key_id: int, last_used_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """Bring a key's last-used time up to date (to the minute, so not every request writes)."""
    if last_used_at is None or now - last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key_id).update(last_used_at=now)
        return now
    return last_used_at


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request: Request) -> tuple[ApiPrincipal, KeyFacts] | None:
        token = bearer_token(request)
        if token is None or not looks_like_a_key(token):
            return None  # Basic, or perhaps an OAuth access token
        key = usable_key(token)
        if key is None:
            raise exceptions.AuthenticationFailed("The API key is not valid.")
        actor = Actor.for_api_client(
            key.client, ip=client_ip(request.META), request_id=_request_id(request)
        )
        return ApiPrincipal(
            actor=actor, client=key.client, key=key, narrowed=key.narrowed_connection
        ), key

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


# The header an app names another of the member's companies in (by its slug).
COMPANY_HEADER = "HTTP_X_KLUIS_COMPANY"


class AppTokenAuthentication(authentication.BaseAuthentication):
    """An app's access token (a JWT): the member acts with their own roles in the company
    the token names, or in another of their companies named by `X-Kluis-Company: <slug>`.
    A member no longer active there (or a company deactivated) is refused like a bad
    token."""

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, Any] | None:
        token = bearer_token(request)
        if token is None or not app_tokens.looks_like_jwt(token):
            return None
        access = app_tokens.validate_access(token)
        if access is None:
            raise exceptions.AuthenticationFailed("The access token is not valid.")
        # The member's active memberships of active companies (a person has a few).
        slug = request.META.get(COMPANY_HEADER, "").strip()
        membership = next(
            (
                found
                for found in memberships_of_user(access.user.pk)
                if (found.tenant.slug == slug if slug else found.tenant_id == access.tenant_id)
            ),
            None,
        )
        if membership is not None:
            membership.user = access.user
        if membership is None:
            raise exceptions.AuthenticationFailed("The access token is not valid for this company.")
        # An app signs in with the password alone while no factor is enrolled: a member
        # whose company requires one does nothing with it until enrolled (the web sends
        # them to enrolment, kluis.identity.middleware.MfaRequiredMiddleware).
        if policy.mfa_required(membership) and not policy.has_second_factor(access.user):
            raise exceptions.PermissionDenied(
                "Your company requires a second factor: set one up before using the API."
            )
        actor = Actor.for_member(
            membership, ip=client_ip(request.META) or "", request_id=_request_id(request)
        )
        return ApiPrincipal(actor=actor, client=None, user=access.user), access

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class OAuthTokenAuthentication(authentication.BaseAuthentication):
    """A django-oauth-toolkit access token: its application's client acts, with the
    scopes both granted to the token and still held by the client."""

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, Any] | None:
        token = bearer_token(request)
        if token is None or looks_like_a_key(token) or app_tokens.looks_like_jwt(token):
            return None
        # The token, and for client credentials its client and company: one statement.
        access = bearer.token_facts(hashlib.sha256(token.encode()).hexdigest())
        client = None
        if (
            access is not None
            and access.application_id is not None
            and not access.is_expired(timezone.now())
        ):
            if access.user_id is None:  # client credentials: the application's own client
                client = access.client
            else:  # authorization code: the company connection the member made
                # The member who connected the app must still be an active member of
                # the company: a deactivated member's connected apps stop with them.
                still_a_member = Membership.objects.for_tenant(OuterRef("tenant_id")).filter(
                    user_id=OuterRef("user_id"), is_active=True
                )
                connection = (
                    OAuthConnection.objects.select_related("api_client", "api_client__tenant")
                    .filter(
                        Exists(still_a_member),
                        application_id=access.application_id,
                        user_id=access.user_id,
                        revoked_at__isnull=True,
                    )
                    .first()
                )
                client = connection.api_client if connection is not None else None
        if client is None or client.revoked_at is not None or not client.tenant.is_active:
            raise exceptions.AuthenticationFailed("The access token is not valid.")
        actor = Actor.for_api_client(
            client,
            ip=client_ip(request.META),
            request_id=_request_id(request),
            scopes=access.scope.split() if access is not None else [],
        )
        return ApiPrincipal(actor=actor, client=client), access

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class ApiClientBasicAuthentication(authentication.BaseAuthentication):
    """HTTP Basic with an API client's id and secret."""

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiClient] | None:
        credentials = basic_credentials(request)
        if credentials is None:
            return None
        client_id, secret = credentials
        ip = client_ip(request.META)
        attempt = f"api-basic:{client_id}"
        # The client and the counts against the id and the address, in one statement.
        found = basic.find(client_id, attempt, ip)
        if not found.standing.clear():
            refuse_guessing(attempt, ip)  # before the secret is compared
        client = found.client
        if (
            not basic.secret_matches(client, secret)
            or client is None
            or client.revoked_at is not None
            or not client.tenant.is_active
        ):
            brute_force.failed(
                attempt,
                ip,
                audit=audit_for_client(client_id),
                tenant_ids=tenants_of_client(client_id),
            )
            raise exceptions.AuthenticationFailed("The client id or secret is not valid.")
        if found.standing.counted:
            brute_force.succeeded(attempt, ip)
        actor = Actor.for_api_client(client, ip=ip, request_id=_request_id(request))
        principal = ApiPrincipal(actor=actor, client=client, narrowed=found.narrowed_connection)
        return principal, client

    def authenticate_header(self, request: Request) -> str:
        return 'Basic realm="api"'
