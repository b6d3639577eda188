"""The webhook events of integrations itself: API clients, keys, connected apps and webhook
subscriptions (kluis/integrations/webhooks/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, register

CLIENT = "integrations.apiclient"
KEY = "integrations.apikey"
CONNECTION = "integrations.oauthconnection"
WEBHOOK = "integrations.webhooksubscription"


def register_all() -> None:
    for event in (
        EventType("api_client.created", _("An API client was created"), CLIENT),
        EventType("oauth_client.created", _("An OAuth client was created"), CLIENT),
        EventType("api_client.revoked", _("An API client was revoked"), CLIENT),
        EventType("api_key.created", _("An API key was created"), KEY, parent="client"),
        EventType("api_key.revoked", _("An API key was revoked"), KEY, parent="client"),
        EventType("oauth_connection.created", _("An app was connected to the company"), CONNECTION),
        EventType(
            "oauth_connection.updated", _("A connected app's access was changed"), CONNECTION
        ),
        EventType("oauth_connection.revoked", _("A connected app was disconnected"), CONNECTION),
        EventType(
            "webhook.created",
            _("A webhook subscription was created"),
            WEBHOOK,
            resource="webhooks",
        ),
        EventType(
            "webhook.updated",
            _("A webhook subscription was changed, turned on or off"),
            WEBHOOK,
            resource="webhooks",
            example_fields=("enabled",),
        ),
        EventType(
            "webhook.deleted", _("A webhook subscription was deleted"), WEBHOOK, resource="webhooks"
        ),
    ):
        register(event)
