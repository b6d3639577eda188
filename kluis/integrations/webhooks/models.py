"""Subscriptions, the deliveries owed to them and every attempt to deliver one.

A delivery is written in the same transaction as the domain event it carries (fan-out in
`kluis.integrations.events.emit`), so an event that commits is owed to every subscriber
that wanted it, and an event that rolls back is owed to nobody. The worker sends them
(kluis/integrations/webhooks/delivery.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager


class WebhookSubscription(models.Model):
    """A target URL of one company that wants some events, signed with its secret."""

    class Disabled(models.TextChoices):
        NO = "", "enabled"
        BY_MEMBER = "by_member", "turned off"
        FAILING = "failing", "failing for 5 days"
        GONE = "gone", "answered 410 Gone"
        OWNER_GONE = "owner_gone", "its owner lost access"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(max_length=2000)
    # The event types wanted (names from the catalogue); ["*"] for every event.
    event_types = models.JSONField(default=list)
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    disabled_reason = models.CharField(
        max_length=20, choices=Disabled.choices, default="", blank=True
    )
    # Set when the current URL answered its ping with 2xx; cleared when the URL changes.
    verified_at = models.DateTimeField(null=True, blank=True)
    # Send full objects (what the owning credential may read) instead of thin payloads.
    full_objects = models.BooleanField(default=False)
    # Where the API is reached (scheme and host), for the links in payloads: the address the
    # subscription was made through, unless settings.PUBLIC_URL says otherwise.
    api_base = models.CharField(max_length=300, blank=True)
    # The signing secret (whsec_...), sealed under the company's key; the previous one
    # stays valid until previous_secret_expires_at after a rotation.
    secret_sealed = models.TextField()
    previous_secret_sealed = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    # Who made it: a member (user) or an API client. Full objects are what they may read.
    created_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by_client = models.ForeignKey(
        "integrations.ApiClient", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_by_label = models.CharField(max_length=254, blank=True)
    # The member it was handed to when its maker left the company (kluis/offboarding): then
    # their reading decides what it is told, and it keeps working.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Failing without a success since this instant (for the 5-day rule and the banner).
    failing_since = models.DateTimeField(null=True, blank=True)
    # The worker's bookkeeping: one worker drains a subscription at a time (a lease that
    # expires, so a killed worker's work is taken over), a drain is queued at most once,
    # and a receiver that is down is left alone until its next retry.
    lease_until = models.DateTimeField(null=True, blank=True)
    drain_queued = models.BooleanField(default=False)
    paused_until = models.DateTimeField(null=True, blank=True)
    wake_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "enabled"])]

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_active(self) -> bool:
        return self.enabled and self.verified_at is not None

    def wants(self, event_type: str) -> bool:
        return "*" in self.event_types or event_type in self.event_types


class WebhookDelivery(models.Model):
    """One message owed to one subscription: a domain event, or the subscription's ping.
    Its id (`webhook-id`) and body are fixed at the first attempt, so a retry, a duplicate
    after a crash and a replay carry the same id and bytes."""

    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "integrations.DomainEvent",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=80)
    # Deliveries with the same key (the object) arrive in the order they were made.
    ordering_key = models.CharField(max_length=150)
    body = models.TextField(blank=True)  # the exact bytes sent; "" until built or purged
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-pk"]
        indexes = [
            models.Index(fields=["subscription", "status", "id"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["tenant", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id} ({self.status})"


class WebhookAttempt(models.Model):
    """One HTTP request to the target: when, how long, what came back (an excerpt)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="tries")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(default=0)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.TextField(blank=True)
    error = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=10)  # delivered / retry / final
    objects = TenantManager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [models.Index(fields=["delivery", "started_at"])]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
