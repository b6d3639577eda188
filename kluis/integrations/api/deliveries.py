"""`/api/v1/webhooks/{id}/deliveries/`: what was (or is to be) sent to one subscription,
newest first, each with every attempt (time, duration, HTTP status, the start of the
answer, the error); one can be sent again. Scope webhooks:write, and only for the
subscriptions the client may see (kluis/integrations/api/webhooks.py)."""

from __future__ import annotations

from typing import ClassVar

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.schema import problem_responses
from kluis.api.sparse import problem_example
from kluis.integrations.api import shapes
from kluis.integrations.api.webhooks import WebhookLookup
from kluis.integrations.webhooks import services
from kluis.integrations.webhooks.models import WebhookDelivery

NOT_FOUND = "No such delivery"


class DeliveryFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event_type = django_filters.CharFilter(max_length=80)

    class Meta:
        model = WebhookDelivery
        fields: ClassVar[list[str]] = []


ID_ORDER = ["id", "created_at"]
NOT_YOURS = problem_example(
    "Another client's subscription", 404, "Not found.", "/api/v1/webhooks/3/deliveries/"
)


REPLAY_SCHEMA = extend_schema(
    summary="Send one delivery again",
    description="With the same `webhook-id` and payload (rebuilt from the event if the "
    "payload was purged), at once, and on the retry schedule if it fails again.",
    parameters=[shapes.WEBHOOK_PK, shapes.DELIVERY_PK],
    request=shapes.EmptySerializer,
    responses={
        202: shapes.DeliverySerializer,
        **problem_responses(400, 401, 403, 404, 415, 422, 429),
    },
    examples=[
        OpenApiExample(
            "Queued again",
            value={
                **shapes.DELIVERY_EXAMPLE,
                "status": "pending",
                "attempt_count": 0,
                "next_attempt_at": "2026-03-04T10:00:00Z",
                "finished_at": None,
            },
            response_only=True,
            status_codes=["202"],
        )
    ],
)


@extend_schema_view(
    list=extend_schema(
        summary="List a subscription's deliveries",
        description="Newest first (`?ordering=id` for oldest first). Pings are listed too "
        "(event_type `ping`).",
        parameters=[
            shapes.WEBHOOK_PK,
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=WebhookDelivery.Status.values,
                description="Only deliveries in this state",
            ),
            OpenApiParameter(
                "event_type", OpenApiTypes.STR, description="Only this event type, e.g. ping"
            ),
        ],
        responses={
            200: shapes.DeliverySerializer(many=True),
            **problem_responses(400, 401, 403, 404, 429),
        },
        examples=[OpenApiExample("A page of deliveries", value=shapes.DELIVERY_EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one delivery with its attempts",
        parameters=[shapes.WEBHOOK_PK, shapes.DELIVERY_PK],
        responses={
            200: shapes.DeliveryDetailSerializer,
            **problem_responses(400, 401, 403, 404, 429),
        },
        examples=[
            OpenApiExample("Delivered on the second try", value=shapes.DELIVERY_DETAIL_EXAMPLE),
            NOT_YOURS,
        ],
    ),
)
class DeliveryViewSet(WebhookLookup):
    """The deliveries of one subscription."""

    serializer_class = shapes.DeliverySerializer
    filterset_class = DeliveryFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ID_ORDER
    ordering = ["-id"]
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "status", "event_type"},
    }

    def deliveries(self, webhook_pk: int) -> QuerySet[WebhookDelivery]:
        subscription = self.subscription(webhook_pk)
        return WebhookDelivery.objects.for_tenant(subscription.tenant_id).filter(
            subscription=subscription
        )

    def get_queryset(self) -> QuerySet[WebhookDelivery]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return self.deliveries(self.kwargs["webhook_pk"])

    def delivery(self, webhook_pk: int, delivery_pk: int) -> WebhookDelivery:
        found = (
            self.deliveries(webhook_pk)
            .select_related("subscription__tenant")
            .filter(pk=delivery_pk)
            .first()
        )
        if found is None:
            raise Http404(NOT_FOUND)
        return found

    def list(self, request: Request, webhook_pk: int) -> Response:
        page = self.page_of(self.get_queryset())
        return self.get_paginated_response([shapes.represent_delivery(row) for row in page])

    def retrieve(self, request: Request, webhook_pk: int, delivery_pk: int) -> Response:
        delivery = self.delivery(webhook_pk, delivery_pk)
        return Response(shapes.represent_delivery_in_full(delivery))

    @REPLAY_SCHEMA
    def replay(self, request: Request, webhook_pk: int, delivery_pk: int) -> Response:
        delivery = self.delivery(webhook_pk, delivery_pk)
        shapes.EmptySerializer(data=request.data).is_valid(raise_exception=True)
        again = services.replay_delivery(self.actor, delivery)
        return Response(shapes.represent_delivery(again), status=status.HTTP_202_ACCEPTED)
