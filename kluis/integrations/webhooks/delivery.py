"""Delivering webhooks: fan-out in the change's transaction, sending in the worker.

- `fan_out(event)` (called by `emit`, inside the change's transaction) writes one
  delivery per subscription that wants the event, and after commit asks the worker to
  drain those subscriptions (`kick`). A rolled-back change leaves no delivery.
- `drain(subscription_id)` (by the `drain_subscriptions` task, a thread per subscription)
  sends a subscription's pending deliveries oldest first. One worker drains a subscription
  at a time, under a lease in the database that a killed worker's successor takes over
  when it expires: what was sent but not yet recorded is sent again, with the same
  `webhook-id` (at least once).
- A delivery that fails with a timeout, a connection error, 3xx, 429 or 5xx is retried on
  the Standard Webhooks schedule (settings.WEBHOOK_RETRY_SCHEDULE, with jitter, or after
  the answer's Retry-After); later deliveries of the same object wait for it, so each
  object's events arrive in order. Other 4xx are final; 410 Gone turns the subscription
  off. Five failures in a row pause the subscription until the first retry is due, so a
  receiver that is down gets a few requests per retry, not one per pending event.
- `sweep()` (scheduled in the worker) drains what is due and nobody drains, turns off
  subscriptions failing for 5 days (their admins are e-mailed) and forgets delivered
  payloads after the retention period.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Count, Min, Q
from django.tasks import task
from django.utils import timezone

from kluis.integrations.webhooks import catalogue, payloads, reach, signing
from kluis.integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)
from kluis.integrations.webhooks.owners import owner_of, secrets_of
from kluis.integrations.webhooks.transport import Answer, post
from kluis.operations.metrics import WEBHOOK_DELIVERIES

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.integrations.models import DomainEvent

logger = logging.getLogger(__name__)

PENDING = WebhookDelivery.Status.PENDING
DELIVERED = WebhookDelivery.Status.DELIVERED
FAILED = WebhookDelivery.Status.FAILED
# Five retryable failures in a row: the receiver is down, not one of its objects.
DOWN_AFTER = 5
_BATCH = 200
_FLUSH_EVERY = 50
_FLUSH_SECONDS = 1.0


def receiving() -> Q:
    """Subscriptions that are owed new events: those that are on, also while their ping
    is not answered yet (a new one, or one whose URL changed: what happens meanwhile waits
    for the ping and follows it, in order), and those turned off for failing (re-enabling
    them delivers what is pending, in order)."""
    return Q(enabled=True) | Q(disabled_reason=WebhookSubscription.Disabled.FAILING)


def fan_out(event: DomainEvent) -> list[int]:
    """Owe the event to every subscription of its company that wants it (in the caller's
    transaction); the worker is asked to drain them once the transaction commits."""
    if not catalogue.is_webhook(event.name):
        return []
    # A subscription's own creation or change of URL is not news to it: its ping says so.
    about = event.object_id if event.object_type == WebhookSubscription._meta.label_lower else ""
    wanting = [
        (pk, enabled)
        for pk, enabled, verified, types in WebhookSubscription.objects.for_tenant(event.tenant_id)
        .filter(receiving())
        .values_list("pk", "enabled", "verified_at", "event_types")
        if (catalogue.WILDCARD in types or event.name in types)
        and not (verified is None and about == str(pk))
    ]
    if not wanting:
        return []
    now = timezone.now()
    WebhookDelivery.objects.bulk_create(owed(pk, event, now) for pk, _enabled in wanting)
    sending = [pk for pk, enabled in wanting if enabled]
    transaction.on_commit(lambda: kick(sending))
    return [pk for pk, _enabled in wanting]


def owed(subscription_id: int, event: DomainEvent, now: datetime) -> WebhookDelivery:
    """A delivery of the event to a subscription, due now: its id (`webhook-id`) drawn
    here, its order key the event's object."""
    return WebhookDelivery(
        tenant_id=event.tenant_id,
        subscription_id=subscription_id,
        event=event,
        message_id=signing.new_message_id(),
        event_type=event.name,
        ordering_key=f"{event.object_type}:{event.object_id}"[:150],
        next_attempt_at=now,
    )


def kick(subscription_ids: Iterable[int], *, force: bool = False) -> None:
    """Queue one drain per subscription unless one is queued already (`force`: queue
    anyway, for the sweep, which cannot tell a queued drain from a lost one). Two
    processes kicking at once may both queue one: a drain finding the lease taken ends."""
    wanted = list(subscription_ids)
    if not wanted:
        return
    marked = WebhookSubscription.objects.filter(pk__in=wanted)
    if not force:
        wanted = list(marked.filter(drain_queued=False).values_list("pk", flat=True))
        if not wanted:
            return
        marked = WebhookSubscription.objects.filter(pk__in=wanted)
    marked.update(drain_queued=True)
    drain_subscriptions.enqueue(wanted)


@task()
def drain_subscriptions(subscription_ids: list[int]) -> int:
    """Send the due deliveries of these subscriptions (the worker's side of `kick`), each
    in a thread of its own: one receiver that is slow to answer does not hold up the
    others, and a change that concerns ten subscriptions is one task, not ten."""
    ids = list(dict.fromkeys(subscription_ids))
    if len(ids) == 1:
        return drain(ids[0])
    return sum(_senders().map(_drain_in_thread, ids))


_SENDERS: list[ThreadPoolExecutor] = []


def _senders() -> ThreadPoolExecutor:
    """The worker process's sending threads, kept between tasks so that each keeps its
    connections to the receivers it sent to (kluis/integrations/webhooks/transport.py)."""
    if not _SENDERS:
        _SENDERS.append(
            ThreadPoolExecutor(
                max_workers=settings.WEBHOOK_SEND_THREADS, thread_name_prefix="kluis-webhooks"
            )
        )
    return _SENDERS[0]


def _drain_in_thread(subscription_id: int) -> int:
    try:
        return drain(subscription_id)
    finally:
        connections.close_all()  # this thread's connections (they are per thread)


def drain(subscription_id: int) -> int:
    """Send what is due, oldest first, for about settings.WEBHOOK_DRAIN_SECONDS; then let
    other subscriptions have the worker (queued again if more is due). Returns the number
    of requests made."""
    now = timezone.now()
    mine = WebhookSubscription.objects.filter(pk=subscription_id)
    if not mine.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_until=now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS), drain_queued=False
    ):
        mine.update(drain_queued=False)
        return 0  # another worker drains it and looks again before it lets go
    sent = 0
    subscription = None
    try:
        subscription = mine.select_related("tenant", "created_by_client").first()
        if subscription is not None:
            sent = _Drain(subscription).run()
    finally:
        mine.update(lease_until=None)
    if subscription is not None:
        _follow_up(subscription)
    return sent


def _follow_up(subscription: WebhookSubscription) -> None:
    """After letting go: drain again now if something is due (it may have arrived while
    the lease was held), else wake up when the next retry is due."""
    if not subscription.enabled:
        return
    now = timezone.now()
    if subscription.paused_until and subscription.paused_until > now:
        _wake(subscription, subscription.paused_until)
        return
    pending = WebhookDelivery.objects.filter(subscription_id=subscription.pk, status=PENDING)
    if not subscription.is_active:
        pending = pending.filter(event__isnull=True)  # only its ping until it answers
    found = pending.aggregate(
        due=Count("pk", filter=Q(next_attempt_at__lte=now)), upcoming=Min("next_attempt_at")
    )
    if found["due"]:
        kick([subscription.pk])
    elif found["upcoming"] is not None:
        _wake(subscription, found["upcoming"])


def _wake(subscription: WebhookSubscription, at: datetime) -> None:
    """One deferred drain at `at` (not one per drain): queued when none is due earlier."""
    if subscription.wake_at and timezone.now() < subscription.wake_at <= at:
        return
    if (
        WebhookSubscription.objects.filter(pk=subscription.pk)
        .filter(Q(wake_at__isnull=True) | Q(wake_at=subscription.wake_at))
        .update(wake_at=at)
    ):
        drain_subscriptions.using(run_after=at).enqueue([subscription.pk])


@dataclass
class _Result:
    delivery: WebhookDelivery
    attempt: WebhookAttempt


class _Drain:
    """One drain of one subscription."""

    def __init__(self, subscription: WebhookSubscription) -> None:
        self.subscription = subscription
        self.secrets = secrets_of(subscription)
        # whose reading decides what is sent (reach.py), and a full object's
        self.reader: Actor | None = owner_of(subscription)
        self.owner = self.reader if subscription.full_objects else None
        self.unsent: list[int] = []  # deliveries of events the reader may not learn
        self.results: list[_Result] = []
        self.flushed_at = time.monotonic()
        self.in_a_row = 0
        self.waiting: list[datetime] = []  # next attempts of the failures in a row

    def run(self) -> int:
        subscription = self.subscription
        if not subscription.enabled:
            return 0
        now = timezone.now()
        if subscription.paused_until and subscription.paused_until > now:
            return 0
        if self.reader is None:  # the client was revoked, the member left
            turn_off(subscription, WebhookSubscription.Disabled.OWNER_GONE)
            return 0
        deadline = time.monotonic() + settings.WEBHOOK_DRAIN_SECONDS
        made = 0
        blocked: set[str] = set()
        after = 0
        more = True
        while more and time.monotonic() < deadline and self.subscription.enabled:
            rows = list(self._pending(after))
            more = len(rows) == _BATCH  # a short batch: the rest is the follow-up's
            for delivery in rows:
                after = delivery.pk
                if delivery.ordering_key in blocked:
                    continue
                if delivery.next_attempt_at > now:
                    blocked.add(delivery.ordering_key)
                    continue
                if not self._tellable(delivery):
                    continue
                retry = self._send(delivery)
                made += 1
                if retry:
                    blocked.add(delivery.ordering_key)
                if self.in_a_row >= DOWN_AFTER or not self.subscription.enabled:
                    self._pause()
                    self.flush()
                    return made
                if len(self.results) >= _FLUSH_EVERY or (
                    time.monotonic() - self.flushed_at > _FLUSH_SECONDS
                ):
                    self.flush()
                if time.monotonic() >= deadline:
                    break
        self.flush()
        return made

    def _pending(self, after: int) -> list[WebhookDelivery]:
        pending = WebhookDelivery.objects.filter(
            subscription_id=self.subscription.pk, status=PENDING, pk__gt=after
        )
        if not self.subscription.is_active:
            pending = pending.filter(event__isnull=True)
        return list(pending.select_related("event", "event__tenant").order_by("pk")[:_BATCH])

    def _tellable(self, delivery: WebhookDelivery) -> bool:
        """Build the body at the first attempt, as the reader may learn the event; an
        event the reader may not learn is not owed after all (dropped at the flush)."""
        if delivery.body:
            return True
        if delivery.event is None:
            delivery.body = payloads.encode(
                payloads.ping_body(self.subscription, delivery.message_id, timezone.now())
            )
            return True
        details = reach.shown(self.reader, delivery.event) if self.reader is not None else None
        # (a drain without a reader sends nothing: `run` turns the subscription off first)
        if details is None:
            self.unsent.append(delivery.pk)
            return False
        delivery.body = payloads.encode(
            payloads.event_body(self.subscription, delivery.event, self.owner, details=details)
        )
        return True

    def _send(self, delivery: WebhookDelivery) -> bool:
        """One attempt; True when it is to be retried."""
        started = timezone.now()
        body = delivery.body.encode()
        stamp = int(time.time())
        answer = post(
            self.subscription.url,
            body,
            {
                "Content-Type": "application/json",
                "User-Agent": "Kluis-Webhooks/1",
                "webhook-id": delivery.message_id,
                "webhook-timestamp": str(stamp),
                "webhook-signature": signing.signature_header(
                    self.secrets, delivery.message_id, stamp, body
                ),
            },
        )
        outcome = judge(answer)
        delivery.attempts += 1
        delivery.last_status_code = answer.status
        delivery.last_error = answer.error[:300]
        retry = outcome == "retry" and delivery.attempts <= len(settings.WEBHOOK_RETRY_SCHEDULE)
        if outcome == "delivered":
            delivery.status = DELIVERED
            delivery.finished_at = timezone.now()
            self.in_a_row, self.waiting = 0, []
        elif retry:
            delivery.next_attempt_at = timezone.now() + timedelta(
                seconds=retry_delay(delivery.attempts, answer.retry_after)
            )
            self.in_a_row += 1
            self.waiting.append(delivery.next_attempt_at)
        else:
            delivery.status = FAILED
            delivery.finished_at = timezone.now()
            if outcome == "final":
                self.in_a_row, self.waiting = 0, []
        self.results.append(
            _Result(
                delivery,
                WebhookAttempt(
                    tenant_id=delivery.tenant_id,
                    delivery=delivery,
                    started_at=started,
                    duration_ms=answer.duration_ms,
                    status_code=answer.status,
                    response_excerpt=answer.excerpt,
                    error=answer.error[:300],
                    outcome="delivered"
                    if outcome == "delivered"
                    else ("retry" if retry else "final"),
                ),
            )
        )
        WEBHOOK_DELIVERIES.labels(self.results[-1].attempt.outcome).inc()
        if answer.status == 410:
            self.flush()
            turn_off(self.subscription, WebhookSubscription.Disabled.GONE)
        return retry

    def _pause(self) -> None:
        """The receiver is down: leave it alone until its first retry is due."""
        if self.waiting and self.subscription.enabled:
            until = min(self.waiting)
            WebhookSubscription.objects.filter(pk=self.subscription.pk).update(paused_until=until)
            self.subscription.paused_until = until

    def flush(self) -> None:
        """Record what was sent (one transaction), and renew the lease."""
        results, self.results = self.results, []
        unsent, self.unsent = self.unsent, []
        self.flushed_at = time.monotonic()
        if unsent:
            WebhookDelivery.objects.filter(pk__in=unsent, status=PENDING).delete()
        if not results:
            return
        now = timezone.now()
        succeeded = any(r.delivery.status == DELIVERED for r in results)
        failed = any(r.attempt.outcome != "delivered" for r in results)
        pinged = any(
            r.delivery.event_id is None and r.delivery.status == DELIVERED for r in results
        )
        with transaction.atomic():
            _record_sent([r.delivery for r in results])
            WebhookAttempt.objects.bulk_create([r.attempt for r in results])
            mine = WebhookSubscription.objects.filter(pk=self.subscription.pk)
            changes: dict[str, object] = {
                "lease_until": now + timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)
            }
            if succeeded:
                changes["failing_since"] = None
                changes["paused_until"] = None
            elif failed:
                mine.filter(failing_since__isnull=True).update(failing_since=now)
            if pinged and self.subscription.verified_at is None:
                changes["verified_at"] = now
                self.subscription.verified_at = now
            mine.update(**changes)


_SENT_FIELDS = (
    "body",
    "status",
    "attempts",
    "next_attempt_at",
    "last_status_code",
    "last_error",
    "finished_at",
)


def _record_sent(deliveries: list[WebhookDelivery]) -> None:
    """Each delivery's outcome, as one statement run for every row (executemany: a
    `bulk_update` builds a CASE per field and row, and cost more than the sending)."""
    meta = WebhookDelivery._meta
    fields = [f for f in meta.concrete_fields if f.name in _SENT_FIELDS]
    columns = ", ".join(f"{connection.ops.quote_name(f.column or f.name)} = %s" for f in fields)
    # Table and column names from the model, quoted; every value a parameter.
    sql = f"UPDATE {connection.ops.quote_name(meta.db_table)} SET {columns} WHERE id = %s"  # noqa: S608
    rows = [
        [f.get_db_prep_save(getattr(d, f.attname), connection) for f in fields] + [d.pk]
        for d in deliveries
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def judge(answer: Answer) -> str:
    """delivered, retry or final, as Standard Webhooks asks."""
    status = answer.status
    if status is None:
        return "retry"
    if 200 <= status < 300:
        return "delivered"
    if 300 <= status < 400 or status == 429 or status >= 500:
        return "retry"
    return "final"


def retry_delay(attempts_made: int, retry_after: float | None) -> float:
    """Seconds until the next attempt after `attempts_made` attempts: the answer's
    Retry-After when it gave one (at most a day), else the schedule's, with 10 % jitter."""
    if retry_after is not None:
        return min(max(retry_after, 0.0), 86400.0)
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    base = schedule[min(attempts_made, len(schedule)) - 1]
    return base * random.uniform(0.9, 1.1)  # noqa: S311  (jitter, not a secret)


def turn_off(subscription: WebhookSubscription, reason: str) -> None:
    """The worker turns a subscription off (410 Gone, failing for days, owner gone)."""
    from kluis.integrations.webhooks.services import turned_off_by_delivery

    turned_off_by_delivery(subscription, reason)
