"""`/api/v1/webhooks/`: webhook subscriptions through the API (scope webhooks:write for
every method), so Zapier-style REST hooks subscribe (POST) and unsubscribe (DELETE)
themselves. Thin views over kluis/integrations/webhooks/services.py, which authorises
(integrations.manage_webhooks), validates, audits and emits. An API client sees and
changes only the subscriptions it made: another's is a 404, as another company's is.

Lists and lookups are plain querysets, never the compiled shapes of kluis/api/compiled.py:
what a client sees here depends on which client it is, not only on its grants."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.exceptions import UnprocessableContent
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.pagination import KluisCursorPagination
from kluis.api.schema import problem_responses
from kluis.api.sparse import problem_example
from kluis.api.views import ApiViewSet
from kluis.integrations.api import shapes
from kluis.integrations.webhooks import services
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.operations.instants import parse_instant

MANAGE = services.MANAGE
NOT_FOUND = "No such webhook subscription"
# The secret is in these answers: no cache, no proxy may keep them.
NO_STORE = {"Cache-Control": "no-store"}


def api_base(request: Request) -> str:
    """Scheme and host the request came through: the links in payloads point there."""
    return request.build_absolute_uri("/").rstrip("/")


class WebhookFilter(django_filters.FilterSet):
    class Meta:
        model = WebhookSubscription
        fields: ClassVar[list[str]] = []


class WebhookLookup(ApiViewSet):
    """The subscriptions the client may see, and one of them by the path's id."""

    required_permissions: ClassVar[dict[str, str]] = {
        "GET": MANAGE,
        "POST": MANAGE,
        "PATCH": MANAGE,
        "DELETE": MANAGE,
    }

    def subscriptions(self) -> QuerySet[WebhookSubscription]:
        return services.visible_subscriptions(self.actor).select_related("tenant")

    def subscription(self, pk: int) -> WebhookSubscription:
        found = self.subscriptions().filter(pk=pk).first()
        if found is None:
            raise Http404(NOT_FOUND)
        return found

    def page_of(self, rows: QuerySet[Any]) -> list[Any]:
        paginator = self.paginator
        assert isinstance(paginator, KluisCursorPagination)
        page = paginator.paginate_queryset(self.filter_queryset(rows), self.request, self)
        assert page is not None
        return page


NOT_YOURS = problem_example("Another client's", 404, "Not found.", "/api/v1/webhooks/3/")
REFUSED_URL = OpenApiExample(
    "A URL inside the network",
    value={
        "type": "urn:kluis:problem:validation-error",
        "title": "Validation error",
        "status": 422,
        "detail": "Some values are not valid.",
        "instance": "/api/v1/webhooks/",
        "errors": [
            {"field": "url", "message": "The address 10.0.0.5 is inside a private network."}
        ],
    },
    response_only=True,
    status_codes=["422"],
)
MANAGES = (
    "Needs scope webhooks:write (a member: the permission integrations.manage_webhooks). "
    "An API client sees only the subscriptions it made."
)


ROTATE_SCHEMA = extend_schema(
    summary="Rotate a subscription's signing secret",
    description="A new secret, shown only in this answer. The old one keeps signing "
    "for 24 hours (each delivery then carries both signatures), so a receiver can "
    "switch without losing any.",
    parameters=[shapes.WEBHOOK_PK],
    request=shapes.EmptySerializer,
    responses={
        200: shapes.RotatedSecretSerializer,
        **problem_responses(400, 401, 403, 404, 415, 422, 429),
    },
    examples=[
        OpenApiExample(
            "The new secret",
            value={
                "secret": shapes.SECRET_EXAMPLE,
                "previous_secret_expires_at": "2026-03-03T09:15:00Z",
            },
            response_only=True,
        )
    ],
)


PING_SCHEMA = extend_schema(
    summary="Send a ping",
    description="Queues a `ping` event to the URL (after fixing the receiver): a 2xx "
    "answer makes a pending subscription active. Answers the queued delivery.",
    parameters=[shapes.WEBHOOK_PK],
    request=shapes.EmptySerializer,
    responses={
        202: shapes.DeliverySerializer,
        **problem_responses(400, 401, 403, 404, 415, 422, 429),
    },
    examples=[
        OpenApiExample(
            "The queued ping",
            value={
                **shapes.DELIVERY_EXAMPLE,
                "event_type": "ping",
                "status": "pending",
                "attempt_count": 0,
                "next_attempt_at": "2026-03-02T09:20:00Z",
                "last_status_code": None,
                "finished_at": None,
            },
            response_only=True,
            status_codes=["202"],
        )
    ],
)


REPLAY_SCHEMA = extend_schema(
    summary="Send every event since an instant again",
    description="Every event since `since` that the subscription wants and that failed "
    "or was never sent (while it was off) is queued again, oldest first, with its "
    "first `webhook-id` (so a receiver can tell a repeat). At most 10,000 at once.",
    parameters=[shapes.WEBHOOK_PK],
    request=shapes.ReplaySinceSerializer,
    responses={
        202: shapes.QueuedSerializer,
        **problem_responses(400, 401, 403, 404, 415, 422, 429),
    },
    examples=[
        OpenApiExample(
            "Since yesterday morning",
            value={"since": "2026-03-01T08:00:00Z"},
            request_only=True,
        ),
        OpenApiExample("Queued", value={"queued": 17}, response_only=True, status_codes=["202"]),
    ],
)


@extend_schema_view(
    list=extend_schema(
        summary="List webhook subscriptions",
        description=MANAGES,
        responses={
            200: shapes.WebhookSerializer(many=True),
            **problem_responses(400, 401, 403, 429),
        },
        examples=[OpenApiExample("A page of subscriptions", value=shapes.WEBHOOK_EXAMPLE)],
    ),
    create=extend_schema(
        summary="Subscribe a URL to events",
        description="The REST hook's subscribe. The answer holds the signing `secret`, shown "
        "only here. The URL is sent a `ping` event (signed like every delivery) and gets "
        "events once it answered it with 2xx (`status` turns from pending_ping to active). "
        + MANAGES,
        request=shapes.WebhookCreateSerializer,
        responses={
            201: shapes.CreatedWebhookSerializer,
            **problem_responses(400, 401, 403, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A Zapier hook", value=shapes.CREATE_EXAMPLE, request_only=True),
            OpenApiExample(
                "The new subscription", value=shapes.CREATED_EXAMPLE, response_only=True
            ),
            REFUSED_URL,
        ],
    ),
    retrieve=extend_schema(
        summary="Read one webhook subscription",
        parameters=[shapes.WEBHOOK_PK],
        responses={200: shapes.WebhookSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A subscription", value=shapes.WEBHOOK_EXAMPLE), NOT_YOURS],
    ),
    partial_update=extend_schema(
        summary="Change a webhook subscription",
        description="Send only the fields to change. A new URL is pinged again and gets "
        "events once it answered; turning a subscription back on delivers what is pending, "
        "in order.",
        parameters=[shapes.WEBHOOK_PK],
        request=shapes.WebhookChangeSerializer,
        responses={
            200: shapes.WebhookSerializer,
            **problem_responses(400, 401, 403, 404, 415, 422, 429),
        },
        examples=[
            OpenApiExample("Turn it off", value={"enabled": False}, request_only=True),
            OpenApiExample(
                "The changed subscription",
                value={**shapes.WEBHOOK_EXAMPLE, "enabled": False, "status": "disabled"},
                response_only=True,
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Unsubscribe (delete a webhook subscription)",
        description="The REST hook's unsubscribe: nothing more is sent; pending deliveries "
        "are dropped.",
        parameters=[shapes.WEBHOOK_PK],
        request=None,
        responses={204: None, **problem_responses(400, 401, 403, 404, 429)},
        examples=[NOT_YOURS],
    ),
)
class WebhookViewSet(WebhookLookup):
    """Webhook subscriptions of the client's company."""

    serializer_class = shapes.WebhookSerializer
    filterset_class = WebhookFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "created_at"]
    ordering = ["id"]
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering"},
    }

    def get_queryset(self) -> QuerySet[WebhookSubscription]:
        if getattr(self, "swagger_fake_view", False):
            return WebhookSubscription.objects.none()
        return self.subscriptions()

    def list(self, request: Request) -> Response:
        page = self.page_of(self.get_queryset())
        return self.get_paginated_response([shapes.represent(row) for row in page])

    def create(self, request: Request) -> Response:
        body = shapes.WebhookCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        tenant = self.actor.tenant
        assert tenant is not None  # an API credential acts for one company
        subscription, secret = services.create_subscription(
            self.actor, tenant, dict(body.validated_data), api_base=api_base(request)
        )
        shown = {**shapes.represent(subscription), "secret": secret}
        return Response(
            shown,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"/api/v1/webhooks/{subscription.pk}/", **NO_STORE},
        )

    def retrieve(self, request: Request, webhook_pk: int) -> Response:
        return Response(shapes.represent(self.subscription(webhook_pk)))

    def partial_update(self, request: Request, webhook_pk: int) -> Response:
        subscription = self.subscription(webhook_pk)
        body = shapes.WebhookChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        changed = services.update_subscription(self.actor, subscription, dict(body.validated_data))
        return Response(shapes.represent(changed))

    def destroy(self, request: Request, webhook_pk: int) -> Response:
        services.delete_subscription(self.actor, self.subscription(webhook_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @ROTATE_SCHEMA
    def rotate_secret(self, request: Request, webhook_pk: int) -> Response:
        subscription = self.subscription(webhook_pk)
        shapes.EmptySerializer(data=request.data).is_valid(raise_exception=True)
        secret = services.rotate_secret(self.actor, subscription)
        return Response(
            {
                "secret": secret,
                "previous_secret_expires_at": subscription.previous_secret_expires_at,
            },
            headers=NO_STORE,
        )

    @PING_SCHEMA
    def ping(self, request: Request, webhook_pk: int) -> Response:
        subscription = self.subscription(webhook_pk)
        shapes.EmptySerializer(data=request.data).is_valid(raise_exception=True)
        delivery = services.send_ping(self.actor, subscription)
        return Response(shapes.represent_delivery(delivery), status=status.HTTP_202_ACCEPTED)

    @REPLAY_SCHEMA
    def replay(self, request: Request, webhook_pk: int) -> Response:
        subscription = self.subscription(webhook_pk)
        body = shapes.ReplaySinceSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # An instant without its zone would be read in the server's: refused, as in lists.
        since = parse_instant(str(body.initial_data["since"]))
        if since is None:
            raise UnprocessableContent(
                [
                    {
                        "field": "since",
                        "message": "Give a date and time with its zone, e.g. 2026-03-01T08:00:00Z.",
                    }
                ]
            )
        queued = services.replay_since(self.actor, subscription, since)
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)
