"""What the webhook resources show and take: a subscription, a delivery and its attempts,
an event type; their serializers (for the OpenAPI document and the bodies) and examples."""

from __future__ import annotations

import json
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from kluis.api.serializers import StrictSerializer
from kluis.integrations.webhooks.models import (
    WebhookAttempt,
    WebhookDelivery,
    WebhookSubscription,
)

STATUSES = ("pending_ping", "active", "disabled")
DISABLED_REASONS = [value for value, _label in WebhookSubscription.Disabled.choices if value]

WEBHOOK_PK = OpenApiParameter(
    "webhook_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The subscription's id"
)
DELIVERY_PK = OpenApiParameter(
    "delivery_pk", OpenApiTypes.INT, OpenApiParameter.PATH, description="The delivery's id"
)


def status_of(subscription: WebhookSubscription) -> str:
    """pending_ping until its URL answered the ping with 2xx; disabled when turned off."""
    if not subscription.enabled:
        return "disabled"
    return "active" if subscription.verified_at is not None else "pending_ping"


def represent(subscription: WebhookSubscription) -> dict[str, Any]:
    return {
        "id": subscription.pk,
        "url": subscription.url,
        "event_types": list(subscription.event_types),
        "description": subscription.description,
        "enabled": subscription.enabled,
        "full_objects": subscription.full_objects,
        "status": status_of(subscription),
        "disabled_reason": subscription.disabled_reason or None,
        "verified_at": subscription.verified_at,
        "failing_since": subscription.failing_since,
        "previous_secret_expires_at": subscription.previous_secret_expires_at,
        "created_by": subscription.created_by_label,
        "created_at": subscription.created_at,
        "updated_at": subscription.updated_at,
    }


def payload_of(delivery: WebhookDelivery) -> Any:
    """The body sent (parsed), None before the first attempt and once purged."""
    if not delivery.body:
        return None
    return json.loads(delivery.body)


def represent_delivery(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "message_id": delivery.message_id,
        "event_type": delivery.event_type,
        "status": delivery.status,
        "attempt_count": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at
        if delivery.status == WebhookDelivery.Status.PENDING
        else None,
        "last_status_code": delivery.last_status_code,
        "last_error": delivery.last_error,
        "created_at": delivery.created_at,
        "finished_at": delivery.finished_at,
    }


def represent_attempt(attempt: WebhookAttempt) -> dict[str, Any]:
    return {
        "started_at": attempt.started_at,
        "duration_ms": attempt.duration_ms,
        "status_code": attempt.status_code,
        "response_excerpt": attempt.response_excerpt,
        "error": attempt.error,
        "outcome": attempt.outcome,
    }


def represent_delivery_in_full(delivery: WebhookDelivery) -> dict[str, Any]:
    return {
        **represent_delivery(delivery),
        "payload": payload_of(delivery),
        "purged_at": delivery.purged_at,
        "attempts": [represent_attempt(a) for a in delivery.tries.order_by("started_at", "pk")],
    }


# -- serializers: the OpenAPI document's components, and the bodies a client sends --


class WebhookSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="Where the events are POSTed")
    event_types = serializers.ListField(
        child=serializers.CharField(), help_text='Event type names, or ["*"] for every event'
    )
    description = serializers.CharField(allow_blank=True)
    enabled = serializers.BooleanField()
    full_objects = serializers.BooleanField(
        help_text="Payloads carry the object as this subscription's maker may read it"
    )
    status = serializers.ChoiceField(
        choices=STATUSES,
        help_text="pending_ping until the URL answered the `ping` event with 2xx (a new "
        "subscription, or a changed URL); active; disabled (see disabled_reason)",
    )
    disabled_reason = serializers.ChoiceField(
        choices=DISABLED_REASONS,
        allow_null=True,
        help_text="by_member (turned off), failing (failing for 5 days), gone (the target "
        "answered 410 Gone), owner_gone (its maker lost access); null when enabled",
    )
    verified_at = serializers.DateTimeField(
        allow_null=True, help_text="When the current URL answered its ping"
    )
    failing_since = serializers.DateTimeField(
        allow_null=True, help_text="Failing without a success since then; null when healthy"
    )
    previous_secret_expires_at = serializers.DateTimeField(
        allow_null=True, help_text="Until then the secret before the last rotation signs too"
    )
    created_by = serializers.CharField(help_text="The member or API client that made it")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class CreatedWebhookSerializer(WebhookSerializer):
    secret = serializers.CharField(
        help_text="whsec_...: verify each delivery's webhook-signature with it. Shown only "
        "in this response; keep it now."
    )


class WebhookCreateSerializer(StrictSerializer):
    url = serializers.URLField(
        max_length=2000,
        help_text="An https:// URL on the internet (private and loopback addresses are "
        "refused); it must answer the `ping` event with 2xx before events are sent",
    )
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=80),
        min_length=1,
        max_length=200,
        help_text='Names from GET /api/v1/webhook-event-types/, or ["*"] for every event',
    )
    description = serializers.CharField(
        max_length=200, allow_blank=True, required=False, help_text="For people"
    )
    enabled = serializers.BooleanField(required=False, help_text="true when left out")
    full_objects = serializers.BooleanField(required=False, help_text="false when left out")


class WebhookChangeSerializer(WebhookCreateSerializer):
    """A PATCH: the fields to change (a new URL is pinged again before it gets events)."""


class EmptySerializer(StrictSerializer):
    """An action that takes no fields: an empty object (or no body)."""


class RotatedSecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The new whsec_... secret, shown only here")
    previous_secret_expires_at = serializers.DateTimeField(
        help_text="Until then deliveries carry a signature with the old secret as well"
    )


class ReplaySinceSerializer(StrictSerializer):
    since = serializers.DateTimeField(
        help_text="An instant with its zone: every event since then that failed or was not "
        "sent (while the subscription was off) is sent again, oldest first"
    )


class QueuedSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="How many deliveries were queued")


class AttemptSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField()
    duration_ms = serializers.IntegerField()
    status_code = serializers.IntegerField(
        allow_null=True, help_text="null when no HTTP answer came (timeout, refused, ...)"
    )
    response_excerpt = serializers.CharField(
        allow_blank=True, help_text="The start of the answer's body (at most a few kB)"
    )
    error = serializers.CharField(allow_blank=True)
    outcome = serializers.ChoiceField(
        choices=("delivered", "retry", "final"),
        help_text="delivered (2xx); retry (sent again later); final (no more tries)",
    )


class DeliverySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    message_id = serializers.CharField(
        help_text="The webhook-id header: the same for every try and every replay"
    )
    event_type = serializers.CharField(help_text="An event type, or ping")
    status = serializers.ChoiceField(choices=WebhookDelivery.Status.values)
    attempt_count = serializers.IntegerField(help_text="Tries since it was (re)queued")
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When it is tried next; null unless pending"
    )
    last_status_code = serializers.IntegerField(allow_null=True)
    last_error = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class DeliveryDetailSerializer(DeliverySerializer):
    payload = serializers.JSONField(
        allow_null=True,
        help_text="The body sent (the same bytes every try); null before the first try and "
        "once purged after the retention period",
    )
    purged_at = serializers.DateTimeField(allow_null=True)
    attempts = AttemptSerializer(many=True, help_text="Every try, oldest first")


class EventTypeSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="<entity>.<verb>")
    summary = serializers.CharField(help_text="What happened, in the request's language")
    object_type = serializers.CharField(help_text="The kind of object the event is about")
    resource = serializers.CharField(
        allow_null=True, help_text="The API resource the object is read at; null if none"
    )
    example = serializers.JSONField(help_text="A thin payload of this event")


class EventTypePageSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Always null: one page")
    previous = serializers.URLField(allow_null=True, help_text="Always null: one page")
    results = EventTypeSerializer(many=True)


class SamplesSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="Always null: one page")
    previous = serializers.URLField(allow_null=True, help_text="Always null: one page")
    results = serializers.ListField(
        child=serializers.JSONField(),
        help_text="Up to 3 payloads, newest first, as a subscription would receive them",
    )


# -- examples --

WEBHOOK_EXAMPLE: dict[str, Any] = {
    "id": 3,
    "url": "https://hooks.zapier.com/hooks/standard/123456/abcdef/",
    "event_types": ["employee.created", "employee.updated"],
    "description": "Zapier: new hires to the IT sheet",
    "enabled": True,
    "full_objects": False,
    "status": "active",
    "disabled_reason": None,
    "verified_at": "2026-03-02T09:15:02Z",
    "failing_since": None,
    "previous_secret_expires_at": None,
    "created_by": "api:Zapier",
    "created_at": "2026-03-02T09:15:00Z",
    "updated_at": "2026-03-02T09:15:02Z",
}
CREATE_EXAMPLE = {
    "url": "https://hooks.zapier.com/hooks/standard/123456/abcdef/",
    "event_types": ["employee.created", "employee.updated"],
    "description": "Zapier: new hires to the IT sheet",
}
SECRET_EXAMPLE = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105  (an example)
CREATED_EXAMPLE = {
    **WEBHOOK_EXAMPLE,
    "status": "pending_ping",
    "verified_at": None,
    "updated_at": "2026-03-02T09:15:00Z",
    "secret": SECRET_EXAMPLE,
}
DELIVERY_EXAMPLE: dict[str, Any] = {
    "id": 981,
    "message_id": "msg_4c1f0f5d9a7b43e2b8d6a1c3e5f70912",
    "event_type": "employee.updated",
    "status": "delivered",
    "attempt_count": 2,
    "next_attempt_at": None,
    "last_status_code": 200,
    "last_error": "",
    "created_at": "2026-03-02T09:15:00Z",
    "finished_at": "2026-03-02T09:15:06Z",
}
PAYLOAD_EXAMPLE = {
    "id": "evt_5f0c2a9e7b1d4c3a8e6f9b21",
    "type": "employee.updated",
    "timestamp": "2026-03-02T09:15:00Z",
    "company": {"id": 1, "slug": "demo-bv"},
    "data": {
        "type": "employee",
        "id": 42,
        "url": "https://kluis.example.com/api/v1/employees/42/",
        "changed_fields": ["job_title"],
    },
}
DELIVERY_DETAIL_EXAMPLE = {
    **DELIVERY_EXAMPLE,
    "payload": PAYLOAD_EXAMPLE,
    "purged_at": None,
    "attempts": [
        {
            "started_at": "2026-03-02T09:15:00Z",
            "duration_ms": 10004,
            "status_code": None,
            "response_excerpt": "",
            "error": "timed out",
            "outcome": "retry",
        },
        {
            "started_at": "2026-03-02T09:15:06Z",
            "duration_ms": 84,
            "status_code": 200,
            "response_excerpt": '{"status":"success"}',
            "error": "",
            "outcome": "delivered",
        },
    ],
}
