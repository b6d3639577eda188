"""What a leaver holds for the company, and closing or handing it over.

- Revoked (the leaver holds them, or acts through them): their signed-in sessions, their
  app token families (mobile and desktop sign-ins), the OAuth tokens issued to them and the
  apps they connected for the company, and the API keys they made (the plaintext was
  theirs to copy).
- Handed over (integrations depend on them): the company's API clients (HTTP Basic and
  OAuth client-credentials apps) and the webhook subscriptions they made or answered for go
  to the named owner, who answers for them from then on (their secrets were shown to the
  leaver once: the admins are told to replace them). Nothing is deleted."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.usersessions.models import UserSession
from django.db.models import Exists, OuterRef, Q

from kluis.identity.app_token_models import AppTokenFamily
from kluis.integrations.models import ApiClient, ApiKey, OAuthConnection, WebhookSubscription
from kluis.tenancy.models import Membership


def _answers_for(user_id: int) -> Q:
    """Credentials a member answers for: handed to them, or made by them and not handed."""
    return Q(owner_id=user_id) | Q(owner__isnull=True, created_by_id=user_id)


def session_ids(user_id: int) -> list[int]:
    return sorted(UserSession.objects.filter(user_id=user_id).values_list("pk", flat=True))


def app_token_family_ids(user_id: int) -> list[str]:
    families = AppTokenFamily.objects.filter(user_id=user_id, revoked_at__isnull=True)
    return sorted(str(pk) for pk in families.values_list("pk", flat=True))


def oauth_token_ids(membership: Membership) -> dict[str, list[int]]:
    """The OAuth access and refresh tokens issued to the member for the apps they connected
    for this company (deactivation revokes them)."""
    from oauth2_provider.models import get_access_token_model, get_refresh_token_model

    apps = OAuthConnection.objects.for_tenant(membership.tenant_id).filter(
        user_id=membership.user_id
    )
    lookup: dict[str, Any] = {
        "application_id__in": apps.values("application_id"),
        "user_id": membership.user_id,
    }
    access = get_access_token_model().objects.filter(**lookup)
    refresh = get_refresh_token_model().objects.filter(revoked__isnull=True, **lookup)
    return {
        "access": sorted(access.values_list("pk", flat=True)),
        "refresh": sorted(refresh.values_list("pk", flat=True)),
    }


def revoke_connections(membership: Membership, now: dt.datetime) -> list[int]:
    """End the apps the member connected for the company (their clients too)."""
    connections = OAuthConnection.objects.for_tenant(membership.tenant_id).filter(
        user_id=membership.user_id, revoked_at__isnull=True
    )
    found = list(connections.values_list("pk", "api_client_id"))
    if found:
        connections.update(revoked_at=now)
        ApiClient.objects.for_tenant(membership.tenant_id).filter(
            pk__in=[client for _pk, client in found], revoked_at__isnull=True
        ).update(revoked_at=now)
    return sorted(pk for pk, _client in found)


def _key_clients(membership: Membership) -> Any:
    """The member's API-key clients: no Basic id, no OAuth application, no connection."""
    connected = OAuthConnection.objects.filter(api_client_id=OuterRef("pk"))
    return (
        ApiClient.objects.for_tenant(membership.tenant_id)
        .filter(_answers_for(membership.user_id), revoked_at__isnull=True)
        .filter(client_id__isnull=True, oauth_application__isnull=True)
        .exclude(Exists(connected))
    )


def revoke_api_keys(membership: Membership, now: dt.datetime) -> dict[str, list[Any]]:
    """Revoke the API keys the member made, and their clients: the next request with one
    answers 401."""
    clients = list(_key_clients(membership).values_list("pk", flat=True))
    keys = ApiKey.objects.for_tenant(membership.tenant_id).filter(
        client_id__in=clients, revoked_at__isnull=True
    )
    found = list(keys.values_list("pk", "prefix"))
    keys.update(revoked_at=now)
    ApiClient.objects.for_tenant(membership.tenant_id).filter(pk__in=clients).update(revoked_at=now)
    return {
        "api_keys": sorted(pk for pk, _prefix in found),
        "api_key_prefixes": sorted(prefix for _pk, prefix in found),
        "api_key_clients": sorted(clients),
    }


def hand_over(membership: Membership, to_user_id: int) -> dict[str, list[int]]:
    """The company's API clients and the webhook subscriptions the member answered for,
    handed to the member `to_user_id`: they keep working, now in the new owner's name."""
    clients = _company_clients(membership)
    client_ids = sorted(clients.values_list("pk", flat=True))
    clients.update(owner_id=to_user_id)
    subscriptions = _member_subscriptions(membership)
    webhook_ids = sorted(subscriptions.values_list("pk", flat=True))
    subscriptions.update(owner_id=to_user_id)
    return {"api_clients": client_ids, "webhooks": webhook_ids}


def _company_clients(membership: Membership) -> Any:
    connected = OAuthConnection.objects.filter(api_client_id=OuterRef("pk"))
    return (
        ApiClient.objects.for_tenant(membership.tenant_id)
        .filter(_answers_for(membership.user_id), revoked_at__isnull=True)
        .filter(Q(client_id__isnull=False) | Q(oauth_application__isnull=False))
        .exclude(Exists(connected))
    )


def _member_subscriptions(membership: Membership) -> Any:
    return (
        WebhookSubscription.objects.for_tenant(membership.tenant_id)
        .filter(created_by_client__isnull=True)
        .filter(
            Q(owner_id=membership.user_id)
            | Q(owner__isnull=True, created_by_user_id=membership.user_id)
        )
    )


def what_they_hold(membership: Membership) -> dict[str, Any]:
    """Counted for the approver: connected apps, API keys (by prefix), the company's
    clients and webhooks that would be handed over."""
    keys = ApiKey.objects.for_tenant(membership.tenant_id).filter(
        client_id__in=_key_clients(membership).values("pk"), revoked_at__isnull=True
    )
    return {
        "connections": OAuthConnection.objects.for_tenant(membership.tenant_id)
        .filter(user_id=membership.user_id, revoked_at__isnull=True)
        .count(),
        "key_prefixes": sorted(keys.values_list("prefix", flat=True)),
        "clients": _company_clients(membership).count(),
        "webhooks": _member_subscriptions(membership).count(),
    }
