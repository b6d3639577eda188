"""The events of integrations itself (kluis/integrations/webhooks/catalogue.py).

Webhook subscriptions (`/api/v1/webhooks/`) are an API resource a client manages, and a
company's security team may want to hear of a new target: their changes are webhooks.
The credentials' own bookkeeping (API clients, keys, connected apps: no API resource, a
secret's life cycle) is in the outbox and the audit log but kept quiet, as a company's
creation is."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, keep_quiet, register

WEBHOOK = "integrations.webhooksubscription"

# What `/api/v1/webhooks/<id>/` shows of a subscription (never its secret).
WEBHOOK_EXAMPLE = {
    "id": 3,
    "url": "https://hooks.example.com/kluis",
    "event_types": ["employee.created", "employee.left"],
    "description": "Payroll sync",
    "enabled": True,
    "full_objects": False,
    "created_at": "2026-03-01T08:00:00Z",
}


def register_all() -> None:
    keep_quiet(
        "api_client.created",
        "oauth_client.created",
        "api_client.revoked",
        "api_key.created",
        "api_key.revoked",
        "oauth_connection.created",
        "oauth_connection.updated",
        "oauth_connection.revoked",
    )
    webhook: dict[str, Any] = {
        "object_type": WEBHOOK,
        "resource": "webhooks",
        "example_object": WEBHOOK_EXAMPLE,
        "read": "integrations.manage_webhooks",
    }
    for event in (
        EventType("webhook.created", _("A webhook subscription was created"), **webhook),
        EventType(
            "webhook.updated",
            _("A webhook subscription was changed, turned on or off"),
            **webhook,
            example_fields=("enabled",),
        ),
        EventType("webhook.deleted", _("A webhook subscription was deleted"), **webhook),
    ):
        register(event)
