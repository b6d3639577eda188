"""The webhooks in the OpenAPI document: OpenAPI 3.1's top-level `webhooks` map, one entry
per event of the catalogue (kluis/integrations/webhooks/catalogue.py), each with the
Standard Webhooks headers, the payload's schema and two examples: the thin payload every
subscription gets, and the same with the full object a subscription may ask for.

`add_webhooks` is a drf-spectacular postprocessing hook, named in SPECTACULAR_SETTINGS
(kluis/settings_api.py): kluis.api sits below integrations and does not know it. The
examples have the shape `payloads.event_body` gives a delivered event."""

from __future__ import annotations

from typing import Any

from kluis.integrations.webhooks import catalogue
from kluis.integrations.webhooks.catalogue import EventType

EXAMPLE_BASE = "https://kluis.example.com"
EXAMPLE_EVENT_ID = "evt_5f0c2a9e7b1d4c3a8e6f9b21"
EXAMPLE_TIMESTAMP = "2026-03-02T09:15:00.123Z"
EXAMPLE_COMPANY = {"id": 1, "slug": "demo-bv"}
# An object without an example of its own (no API resource) and its parent.
EXAMPLE_ID = 42
EXAMPLE_PARENT_ID = 7

EVENT_SCHEMA = "WebhookEvent"

HEADERS: list[dict[str, Any]] = [
    {
        "name": "webhook-id",
        "in": "header",
        "required": True,
        "description": "The message id (`msg_...`): the same on every retry and replay of "
        "this event to this subscription, so a receiver drops what it already handled.",
        "schema": {"type": "string", "pattern": "^msg_[A-Za-z0-9]+$"},
        "example": "msg_2b7c9e0f4a1d8c3e5f6a7b8c",
    },
    {
        "name": "webhook-timestamp",
        "in": "header",
        "required": True,
        "description": "When this attempt was signed, in seconds since the Unix epoch; refuse "
        "a message more than 5 minutes off your clock (replay protection).",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "example": "1772442900",
    },
    {
        "name": "webhook-signature",
        "in": "header",
        "required": True,
        "description": "Space-separated `v1,<base64 HMAC-SHA256>` signatures of "
        "`<webhook-id>.<webhook-timestamp>.<raw body>` with the subscription's secret (the "
        "base64 after `whsec_`), per Standard Webhooks; for 24 hours after a rotation, one "
        "with the old secret as well. Verify the raw body, before parsing it.",
        "schema": {"type": "string", "pattern": r"^v1,[A-Za-z0-9+/=]+( v1,[A-Za-z0-9+/=]+)*$"},
        "example": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    },
]

RESPONSES = {
    "2XX": {"description": "Received: the event is delivered and not sent again."},
    "410": {"description": "Gone: the subscription is turned off; no more events are sent."},
    "default": {
        "description": "A timeout (10 s by default), a connection error, 3xx (redirects "
        "are not followed), 429 and 5xx are retried on the Standard Webhooks schedule (after "
        "5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h, with jitter), honouring "
        "Retry-After; any other 4xx is final for this event. Later events of the same object "
        "wait for it, so each object's events arrive in order."
    },
}


def event_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "A webhook's body (JSON, UTF-8). Thin: names the object and the "
        "fields that changed, never their values; read the object at `data.url`.",
        "required": ["id", "type", "timestamp", "company", "data"],
        "properties": {
            "id": {
                "type": "string",
                "pattern": "^evt_[0-9a-f]+$",
                "description": "The event's id: the same for every subscription",
            },
            "type": {"type": "string", "description": "The event type, `<entity>.<verb>`"},
            "timestamp": {
                "type": "string",
                "format": "date-time",
                "description": "When the change was made",
            },
            "company": {
                "type": "object",
                "required": ["id", "slug"],
                "properties": {"id": {"type": "integer"}, "slug": {"type": "string"}},
            },
            "data": {
                "type": "object",
                "required": ["type", "id", "url"],
                "additionalProperties": True,
                "description": "The object, and what the event type adds: the id of a "
                "related object (e.g. `employee` for a wage) or of the change (e.g. `role` "
                "and `change` for member.role_changed).",
                "properties": {
                    "type": {"type": "string", "description": "The entity, e.g. employee"},
                    "id": {"type": "integer"},
                    "url": {
                        "type": ["string", "null"],
                        "format": "uri",
                        "description": "Where the API serves the object (null: no resource)",
                    },
                    "changed_fields": {
                        "type": "array",
                        "items": {"type": "string"},
                        "description": "The names of the fields that changed (never values)",
                    },
                    "object": {
                        "type": ["object", "null"],
                        "description": "Only for a subscription that asked for full objects: "
                        "the object as its owner's credential reads it at `url` when sent "
                        "(null when it may not, or the object is gone).",
                    },
                },
            },
        },
    }


def example_body(event: EventType, *, full: bool = False) -> dict[str, Any]:
    """What a delivered `event` looks like (`payloads.event_body`'s shape), made from the
    event type's example object; `full`: as a subscription that asked for full objects gets
    it."""
    shown = event.example_object
    object_id = shown.get("id", EXAMPLE_ID)
    data: dict[str, Any] = {
        "type": event.entity,
        "id": object_id,
        "url": f"{EXAMPLE_BASE}/api/v1/{event.resource}/{object_id}/" if event.resource else None,
    }
    if event.example_fields:
        data["changed_fields"] = list(event.example_fields)
    if event.parent:
        data[event.parent] = shown.get(event.parent, EXAMPLE_PARENT_ID)
    data.update(event.details)
    if full:
        data["object"] = dict(shown) if shown else None
    return {
        "id": EXAMPLE_EVENT_ID,
        "type": event.name,
        "timestamp": EXAMPLE_TIMESTAMP,
        "company": dict(EXAMPLE_COMPANY),
        "data": data,
    }


def _description(event: EventType) -> str:
    lines = [str(event.summary) + "."]
    if event.resource:
        lines.append(f"The object: `GET /api/v1/{event.resource}/{{data.id}}/`.")
    else:
        lines.append("The object has no API resource of its own: `data.url` is null.")
    if event.parent:
        lines.append(f"`data.{event.parent}` names its {event.parent}.")
    if event.details:
        names = ", ".join(f"`data.{key}`" for key in event.details)
        lines.append(f"Also in `data`: {names}.")
    if event.example_fields:
        lines.append("`data.changed_fields` names the fields that changed.")
    return " ".join(lines)


def webhook_item(event: EventType) -> dict[str, Any]:
    """The `webhooks` entry of one event type: a POST to the subscription's URL."""
    full = "full object" if event.example_object else "full object (none: no API resource)"
    return {
        "post": {
            "operationId": f"webhook_{event.name.replace('.', '_')}",
            "summary": str(event.summary),
            "description": _description(event),
            "tags": ["webhooks"],
            "parameters": [dict(header) for header in HEADERS],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"$ref": f"#/components/schemas/{EVENT_SCHEMA}"},
                        "examples": {
                            "thin": {"summary": "thin", "value": example_body(event)},
                            "full": {"summary": full, "value": example_body(event, full=True)},
                        },
                    }
                },
            },
            "responses": {code: dict(answer) for code, answer in RESPONSES.items()},
        }
    }


def add_webhooks(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS): every event a
    subscription may pick, under the document's `webhooks`."""
    result.setdefault("components", {}).setdefault("schemas", {})[EVENT_SCHEMA] = event_schema()
    result["webhooks"] = {event.name: webhook_item(event) for event in catalogue.event_types()}
    return result
