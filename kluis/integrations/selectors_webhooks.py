"""Reads behind the webhook pages and the banner: always scoped to the reader's company
(through `visible_subscriptions`), another company's id gives the same 404 as none."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kluis.integrations.webhooks.services import visible_subscriptions

Disabled = WebhookSubscription.Disabled
DELIVERIES_SHOWN = 25
# A subscription failing for this long shows in the banner (a single failed attempt that
# the next retry mends does not).
BANNER_FAILING_AFTER = dt.timedelta(hours=1)
BANNER_SHOWN = 3
TURNED_OFF_BY_DELIVERY = (Disabled.FAILING, Disabled.GONE, Disabled.OWNER_GONE)

REASONS: dict[str, str | Promise] = {
    Disabled.BY_MEMBER: _("by a member"),
    Disabled.FAILING: _("failing for 5 days"),
    Disabled.GONE: _("the receiver answered 410 Gone"),
    Disabled.OWNER_GONE: _("the member or API client that made it lost access"),
}


@dataclass(frozen=True)
class State:
    """What a subscription is doing, as the pages show it."""

    code: str  # waiting / active / off / failing
    label: str
    since: dt.datetime | None = None


def state_of(subscription: WebhookSubscription) -> State:
    if not subscription.enabled:
        reason = REASONS.get(subscription.disabled_reason, REASONS[Disabled.BY_MEMBER])
        return State("off", str(_("Turned off (%(reason)s)") % {"reason": reason}))
    if subscription.verified_at is None:
        return State("waiting", str(_("Waiting for ping")))
    if subscription.failing_since is not None:
        return State("failing", str(_("Failing since")), subscription.failing_since)
    return State("active", str(_("Active")))


def subscriptions_for(actor: Actor) -> QuerySet[WebhookSubscription]:
    """The company's subscriptions with their latest delivery (time and status)."""
    latest = WebhookDelivery.objects.filter(subscription=OuterRef("pk")).order_by("-pk")
    return visible_subscriptions(actor).annotate(
        last_delivery_at=Subquery(latest.values("created_at")[:1]),
        last_delivery_status=Subquery(latest.values("status")[:1]),
    )


def subscription_for(actor: Actor, pk: int) -> WebhookSubscription:
    subscription = visible_subscriptions(actor).filter(pk=pk).first()
    if subscription is None:
        raise Http404("No such webhook")
    return subscription


def delivery_for(subscription: WebhookSubscription, pk: int) -> WebhookDelivery:
    """One delivery of this subscription (whose company the caller checked)."""
    delivery = (
        WebhookDelivery.objects.for_tenant(subscription.tenant_id)
        .filter(subscription=subscription, pk=pk)
        .select_related("subscription", "subscription__tenant")
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery")
    return delivery


def recent_deliveries(
    subscription: WebhookSubscription, *, before: int | None = None
) -> tuple[list[WebhookDelivery], int | None]:
    """A page of deliveries, newest first, with their attempts (newest first), and the id
    to ask for the next (older) page, or None at the end."""
    deliveries = (
        WebhookDelivery.objects.for_tenant(subscription.tenant_id)
        .filter(subscription=subscription)
        .defer("body")
        .prefetch_related(
            Prefetch(
                "tries",
                queryset=WebhookAttempt.objects.for_tenant(subscription.tenant_id).order_by(
                    "-started_at", "-pk"
                ),
            )
        )
        .order_by("-pk")
    )
    if before is not None:
        deliveries = deliveries.filter(pk__lt=before)
    rows = list(deliveries[: DELIVERIES_SHOWN + 1])
    older = rows[DELIVERIES_SHOWN - 1].pk if len(rows) > DELIVERIES_SHOWN else None
    return rows[:DELIVERIES_SHOWN], older


def fingerprint(subscription: WebhookSubscription) -> str:
    """Changes whenever what the subscription's page shows changes (a new delivery or
    attempt, a replay, its state), so a watching page redraws only then."""
    numbers = (
        WebhookDelivery.objects.for_tenant(subscription.tenant_id)
        .filter(subscription=subscription)
        .aggregate(
            newest=Max("pk"),
            pending=Count("pk", filter=Q(status=WebhookDelivery.Status.PENDING), distinct=True),
            attempts=Max("tries__pk"),
        )
    )
    parts: list[Any] = [
        numbers["newest"],
        numbers["pending"],
        numbers["attempts"],
        subscription.enabled,
        subscription.disabled_reason,
        subscription.verified_at,
        subscription.failing_since,
        subscription.updated_at,
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def troubled(actor: Actor) -> list[WebhookSubscription]:
    """The subscriptions the banner names: turned off by delivery (not by a member), or
    failing for a while. Visible only to those who manage webhooks (the caller checks)."""
    since = timezone.now() - BANNER_FAILING_AFTER
    return list(
        visible_subscriptions(actor)
        .filter(
            Q(enabled=False, disabled_reason__in=TURNED_OFF_BY_DELIVERY)
            | Q(enabled=True, failing_since__lte=since)
        )
        .only("pk", "url", "description", "enabled", "disabled_reason", "failing_since")
        .order_by("pk")[: BANNER_SHOWN + 1]
    )
