"""Telling a company's webhook admins that a subscription was turned off."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from kluis.identity.languages import mail_each
from kluis.identity.models import User
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.tenancy.models import Membership

# Told (in a transaction of the worker's task) that a subscription was turned off, with
# the admins' memberships: kluis.company puts it in their inboxes.
TurnedOffListener = Callable[[WebhookSubscription, list[Membership]], None]
_LISTENERS: list[TurnedOffListener] = []


def on_turned_off(listener: TurnedOffListener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def admin_memberships(tenant_id: int) -> list[Membership]:
    return list(
        Membership.objects.for_tenant(tenant_id)
        .filter(
            is_active=True,
            role_assignments__role__permissions__permission="integrations.manage_webhooks",
        )
        .select_related("user")
        .distinct()
    )


def admins_of(tenant_id: int) -> list[User]:
    """Active members who manage the company's webhooks."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.for_tenant(tenant_id)
            .filter(
                is_active=True,
                role_assignments__role__permissions__permission="integrations.manage_webhooks",
            )
            .values("user_id")
        ).order_by("email")
    )


@task()
def tell_admins_turned_off(subscription_id: int) -> int:
    subscription = (
        WebhookSubscription.objects.select_related("tenant").filter(pk=subscription_id).first()
    )
    if subscription is None or subscription.enabled:
        return 0

    def compose() -> tuple[str, str]:
        reasons: dict[str, str] = {
            WebhookSubscription.Disabled.FAILING: _(
                "it has failed for 5 days without a single successful delivery"
            ),
            WebhookSubscription.Disabled.GONE: _("the receiver answered 410 Gone"),
            WebhookSubscription.Disabled.OWNER_GONE: _(
                "the API client or member that made it no longer has access"
            ),
        }
        subject = _("Kluis: a webhook of %(company)s was turned off") % {
            "company": subscription.tenant.name
        }
        body = _(
            "The webhook to %(url)s (%(description)s) was turned off because %(reason)s.\n"
            "Events for it are kept: fix the receiver, then turn the webhook on again under "
            "Settings > Webhooks to deliver what is pending, in order."
        ) % {
            "url": subscription.url,
            "description": subscription.description or "-",
            "reason": reasons.get(subscription.disabled_reason, subscription.disabled_reason),
        }
        return subject, body

    if _LISTENERS:
        members = admin_memberships(subscription.tenant_id)
        with transaction.atomic():
            for listener in _LISTENERS:
                listener(subscription, members)
    return mail_each(admins_of(subscription.tenant_id), compose)
