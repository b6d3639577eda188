"""The worker's scheduled webhook work: drain what is due and nobody drains (a worker that
was killed, a lost task), turn off subscriptions that failed for days, give up what waited
longer than the retention period for a webhook that stayed off, forget finished payloads
after that period."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from kluis.integrations.webhooks.delivery import kick, turn_off
from kluis.integrations.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookSubscription


@task()
def sweep_webhooks() -> dict[str, int]:
    return sweep()


def sweep() -> dict[str, int]:
    now = timezone.now()
    failing = WebhookSubscription.objects.filter(
        enabled=True,
        failing_since__lt=now - timedelta(seconds=settings.WEBHOOK_DISABLE_AFTER_SECONDS),
    ).select_related("tenant")
    turned_off = 0
    for subscription in failing:
        turn_off(subscription, WebhookSubscription.Disabled.FAILING)
        turned_off += 1
    # Due, and neither drained now (a live lease) nor paused: queue a drain (again). Events
    # owed to a subscription whose ping is not answered wait for it: only its ping is due.
    stale = now - timedelta(seconds=2)
    due = (
        WebhookSubscription.objects.filter(enabled=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lte=now))
        .filter(
            Q(verified_at__isnull=False) | Q(deliveries__event__isnull=True),
            deliveries__status=WebhookDelivery.Status.PENDING,
            deliveries__next_attempt_at__lte=stale,
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    woken = list(due)
    kick(woken, force=True)
    return {
        "turned_off": turned_off,
        "drained": len(woken),
        "expired": expire(),
        "purged": purge(),
    }


def expire() -> int:
    """Give up deliveries still pending after the retention period because their webhook
    stayed off (a webhook that is on has delivered or failed them within three days): they
    are failed with a reason, can still be replayed, and their payloads are purged."""
    before = timezone.now() - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    stale = WebhookDelivery.objects.filter(
        status=WebhookDelivery.Status.PENDING, created_at__lt=before, subscription__enabled=False
    )
    ids = list(stale.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    return WebhookDelivery.objects.filter(pk__in=ids, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED,
        finished_at=timezone.now(),
        last_error=f"Not sent: the webhook was off for {settings.WEBHOOK_RETENTION_DAYS} days.",
    )


def purge() -> int:
    """Forget the bodies of finished deliveries and the response excerpts of their attempts
    older than settings.WEBHOOK_RETENTION_DAYS (the record that they were sent stays)."""
    before = timezone.now() - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    old = WebhookDelivery.objects.filter(created_at__lt=before, purged_at__isnull=True).exclude(
        status=WebhookDelivery.Status.PENDING
    )
    ids = list(old.values_list("pk", flat=True)[:5000])
    if not ids:
        return 0
    WebhookAttempt.objects.filter(delivery_id__in=ids).update(response_excerpt="")
    return WebhookDelivery.objects.filter(pk__in=ids).update(body="", purged_at=timezone.now())
