"""What a webhook says: thin by default, the full object for a subscription that asks.

A thin payload names the event and its object and the fields that changed (never their
values), with the API URL to read the object. A full one adds the object as its owning
credential would read it at `/api/v1/<resource>/<id>/` at send time: the resource's own
viewset answers for that actor (kluis/api/reading.py), so sealed fields are in it only
when that credential holds their permission, and nothing when it may not read the object
at all."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder

from kluis.integrations.webhooks import catalogue

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.integrations.models import DomainEvent
    from kluis.integrations.webhooks.models import WebhookSubscription


def api_base(subscription: WebhookSubscription) -> str:
    return (settings.PUBLIC_URL or subscription.api_base).rstrip("/")


def object_url(subscription: WebhookSubscription, resource: str, object_id: str) -> str | None:
    if not resource:
        return None
    return f"{api_base(subscription)}/api/v1/{resource}/{object_id}/"


def event_body(
    subscription: WebhookSubscription,
    event: DomainEvent,
    owner: Actor | None,
    *,
    details: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload of a domain event for one subscription (`owner`: the actor whose reading
    a full object is, None for a thin payload; `details`: the event's details as the
    subscription's owner may learn them, kluis/integrations/webhooks/reach.py)."""
    kind = catalogue.get(event.name)
    resource = kind.resource if kind else ""
    details = (event.payload or {}) if details is None else details
    data: dict[str, Any] = {
        "type": kind.entity if kind else event.name.partition(".")[0],
        "id": details.get("id", event.object_id),
        "url": object_url(subscription, resource, event.object_id),
    }
    fields = details.get("fields")
    if isinstance(fields, list):
        data["changed_fields"] = [str(name) for name in fields]
    if kind is not None and kind.parent and kind.parent in details:
        data[kind.parent] = details[kind.parent]
    for key in kind.details if kind is not None else ():
        if key in details:
            data[key] = details[key]
    if owner is not None:
        data["object"] = full_object(owner, event)
    return {
        "id": event.uid,
        "type": event.name,
        "timestamp": event.occurred_at,
        "company": {"id": event.tenant_id, "slug": event.tenant.slug},
        "data": data,
    }


def ping_body(subscription: WebhookSubscription, message_id: str, now: Any) -> dict[str, Any]:
    return {
        "id": message_id.replace("msg_", "evt_", 1),
        "type": "ping",
        "timestamp": now,
        "company": {"id": subscription.tenant_id, "slug": subscription.tenant.slug},
        "data": {
            "type": "webhook",
            "id": subscription.pk,
            "url": f"{api_base(subscription)}/api/v1/webhooks/{subscription.pk}/",
        },
    }


def encode(body: dict[str, Any]) -> str:
    return json.dumps(body, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def full_object(owner: Actor, event: DomainEvent) -> dict[str, Any] | None:
    """The event's object as its subscription's owner reads it from the API now (None when
    that owner may not read it, or it is gone)."""
    from kluis.api.reading import read_one

    kind = catalogue.get(event.name)
    if kind is None or not kind.resource:
        return None
    return read_one(kind.resource, owner, event.object_id)


def sample_body(
    event: DomainEvent, base: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The thin payload of a past event as a subscription made through `base` (scheme and
    host) would have received it: the samples Zapier's editor shows for an event type
    (`details`: as the asking client may learn them, kluis/integrations/webhooks/reach.py)."""
    from kluis.integrations.webhooks.models import WebhookSubscription

    return event_body(WebhookSubscription(api_base=base), event, None, details=details)
