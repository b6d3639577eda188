"""The integrations app's API resources, registered with kluis.api (kluis/api/registry.py):
webhook subscriptions, their deliveries and the webhook event types."""

from kluis.api.registry import register_route
from kluis.integrations.api.deliveries import DeliveryViewSet
from kluis.integrations.api.event_types import EventTypeViewSet
from kluis.integrations.api.webhooks import WebhookViewSet

WEBHOOK = "webhooks/<id:webhook_pk>/"
DELIVERY = f"{WEBHOOK}deliveries/<id:delivery_pk>/"

for route, viewset, name, actions in (
    ("webhooks/", WebhookViewSet, "webhooks", {"get": "list", "post": "create"}),
    (
        WEBHOOK,
        WebhookViewSet,
        "webhook",
        {"get": "retrieve", "patch": "partial_update", "delete": "destroy"},
    ),
    (
        f"{WEBHOOK}rotate-secret/",
        WebhookViewSet,
        "webhook-rotate-secret",
        {"post": "rotate_secret"},
    ),
    (f"{WEBHOOK}ping/", WebhookViewSet, "webhook-ping", {"post": "ping"}),
    (f"{WEBHOOK}replay/", WebhookViewSet, "webhook-replay", {"post": "replay"}),
    (f"{WEBHOOK}deliveries/", DeliveryViewSet, "webhook-deliveries", {"get": "list"}),
    (DELIVERY, DeliveryViewSet, "webhook-delivery", {"get": "retrieve"}),
    (f"{DELIVERY}replay/", DeliveryViewSet, "webhook-delivery-replay", {"post": "replay"}),
    ("webhook-event-types/", EventTypeViewSet, "webhook-event-types", {"get": "index"}),
    (
        "webhook-event-types/<str:event_type>/samples/",
        EventTypeViewSet,
        "webhook-event-type-samples",
        {"get": "samples"},
    ),
):
    register_route(route, viewset, name=name, actions=actions)
