"""Who a subscription belongs to and what it signs with: the secrets (sealed under the
company's key), the actor whose reading a full object is, and whether that owner can still
act for the company (a revoked client's or a departed member's subscriptions stop)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from kluis.integrations.webhooks.models import WebhookSubscription

if TYPE_CHECKING:
    from kluis.access.actor import Actor

# What a signing secret is sealed as (the vault's associated data).
SECRET_PURPOSE = "integrations.webhook.secret"  # noqa: S105  (a label, not a secret)


def secrets_of(subscription: WebhookSubscription) -> list[str]:
    """The secrets that sign: the current one, and the previous one for a day after a
    rotation."""
    from kluis.crypto import vault

    purpose = SECRET_PURPOSE
    found = [vault.unseal(subscription.tenant_id, purpose, subscription.secret_sealed) or ""]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret_sealed and expires and expires > timezone.now():
        found.append(
            vault.unseal(subscription.tenant_id, purpose, subscription.previous_secret_sealed) or ""
        )
    return [s for s in found if s]


def owner_of(subscription: WebhookSubscription) -> Actor | None:
    """Whose reading decides what the subscription is told: the API client that made it, or
    the member who did; None when they lost access (a revoked client, a departed member):
    then the subscription stops."""
    from kluis.access.actor import Actor
    from kluis.tenancy.models import Membership

    # A subscription answers to the member it was handed to (at offboarding), or who
    # pointed it at a new URL (services.update_subscription), else to its maker.
    client = subscription.created_by_client
    if client is not None and subscription.owner_id is None:
        return Actor.for_api_client(client) if client.revoked_at is None else None
    user_id = subscription.owner_id or subscription.created_by_user_id
    if user_id is None:
        return None
    membership = (
        Membership.objects.for_tenant(subscription.tenant_id)
        .select_related("user", "tenant")
        .filter(user_id=user_id, is_active=True)
        .first()
    )
    return Actor.for_member(membership) if membership is not None else None
