"""Who a subscription belongs to and what it signs with: the secrets (sealed under the
company's key), the actor whose reading a full object is, and whether that owner can still
act for the company (a revoked client's or a departed member's subscriptions stop)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from kluis.integrations.webhooks.models import WebhookSubscription

if TYPE_CHECKING:
    from kluis.access.actor import Actor


def secrets_of(subscription: WebhookSubscription) -> list[str]:
    """The secrets that sign: the current one, and the previous one for a day after a
    rotation."""
    from kluis.crypto import vault

    purpose = secret_purpose(subscription)
    found = [vault.unseal(subscription.tenant_id, purpose, subscription.secret_sealed) or ""]
    expires = subscription.previous_secret_expires_at
    if subscription.previous_secret_sealed and expires and expires > timezone.now():
        found.append(
            vault.unseal(subscription.tenant_id, purpose, subscription.previous_secret_sealed) or ""
        )
    return [s for s in found if s]


def secret_purpose(subscription: WebhookSubscription) -> str:
    return "integrations.webhook.secret"


def owner_of(subscription: WebhookSubscription) -> Actor | None:
    """Whose reading a full object is: the API client that made the subscription, or the
    member who did (None when they lost access: then the subscription is turned off)."""
    from kluis.access.actor import Actor
    from kluis.tenancy.models import Membership

    if subscription.created_by_client is not None:
        return Actor.for_api_client(subscription.created_by_client)
    if subscription.created_by_user_id is None:
        return None
    membership = (
        Membership.objects.for_tenant(subscription.tenant_id)
        .select_related("user", "tenant")
        .filter(user_id=subscription.created_by_user_id, is_active=True)
        .first()
    )
    return Actor.for_member(membership) if membership is not None else None


def has_owner(subscription: WebhookSubscription) -> bool:
    """The credential or member that made the subscription can still act for the company:
    a revoked client's or a departed member's subscriptions stop."""
    from kluis.tenancy.models import Membership

    client = subscription.created_by_client
    if client is not None:
        return client.revoked_at is None
    if subscription.created_by_user_id is None:
        return False
    return (
        Membership.objects.for_tenant(subscription.tenant_id)
        .filter(user_id=subscription.created_by_user_id, is_active=True)
        .exists()
    )
