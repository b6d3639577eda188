"""`/api/v1/webhook-event-types/`: every event a webhook may subscribe to, with what it
means (in the request's language) and an example payload; any valid credential may read
it. `/api/v1/webhook-event-types/{name}/samples/` is Zapier's "perform list": the latest
payloads of that event in the client's company, or the documented example while there is
none, so a Zap's editor always has a sample (scope webhooks:write: it tells that things
changed)."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    extend_schema,
)
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.principal import ApiPrincipal
from kluis.api.schema import problem_responses
from kluis.api.sparse import problem_example
from kluis.api.views import ApiViewSet, HasPermissionForMethod
from kluis.integrations.api import shapes
from kluis.integrations.api.webhooks import MANAGE, api_base
from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue, openapi, payloads, reach

SAMPLES = 3


class OpenOrPermitted(HasPermissionForMethod):
    """The view's `open_actions` for any valid credential; the rest as the base says."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if getattr(view, "action", None) in getattr(view, "open_actions", ()):
            return isinstance(request.user, ApiPrincipal)
        return super().has_permission(request, view)


def shown(kind: catalogue.EventType) -> dict[str, Any]:
    return {
        "name": kind.name,
        "summary": str(kind.summary),
        "object_type": kind.object_type,
        "resource": kind.resource or None,
        "example": openapi.example_body(kind),
    }


EXAMPLE_KIND = {
    "name": "employee.updated",
    "summary": "An employee's file changed (the names of the fields that changed)",
    "object_type": "people.employee",
    "resource": "employees",
    "example": {
        "id": "evt_5f0c2a9e7b1d4c3a8e6f9b21",
        "type": "employee.updated",
        "timestamp": "2026-03-02T09:15:00Z",
        "company": {"id": 1, "slug": "demo-bv"},
        "data": {
            "type": "employee",
            "id": 42,
            "url": "https://kluis.example.com/api/v1/employees/42/",
            "changed_fields": ["job_title", "email"],
        },
    },
}
NAME = OpenApiParameter(
    "event_type",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="An event type's name, e.g. employee.created",
)


SAMPLES_SCHEMA = extend_schema(
    summary="Recent payloads of an event type (Zapier's perform list)",
    description="Up to 3 payloads of this event in your company, newest first, thin, as "
    "a subscription would receive them; the documented example while your company has "
    "none. Needs scope webhooks:write.",
    parameters=[NAME],
    responses={200: shapes.SamplesSerializer, **problem_responses(400, 401, 403, 404, 429)},
    examples=[
        OpenApiExample(
            "The latest change",
            value={"next": None, "previous": None, "results": [EXAMPLE_KIND["example"]]},
        ),
        problem_example(
            "No such event type",
            404,
            "Not found.",
            "/api/v1/webhook-event-types/employee.promoted/samples/",
        ),
    ],
)


LIST_SCHEMA = extend_schema(
    operation_id="webhook_event_types_list",
    summary="List the webhook event types",
    description="Every event a subscription may pick, by name, with what it means (in "
    "the language of Accept-Language) and a thin example payload. Any valid credential.",
    responses={200: shapes.EventTypePageSerializer, **problem_responses(400, 401, 429)},
    examples=[
        OpenApiExample(
            "The event types", value={"next": None, "previous": None, "results": [EXAMPLE_KIND]}
        )
    ],
)


class EventTypeViewSet(ApiViewSet):
    """The catalogue of webhook events (kluis/integrations/webhooks/catalogue.py)."""

    permission_classes = [permissions.IsAuthenticated, OpenOrPermitted]
    open_actions: ClassVar[tuple[str, ...]] = ("index",)
    required_permissions: ClassVar[dict[str, str]] = {"GET": MANAGE}
    serializer_class = shapes.EventTypeSerializer

    def get_queryset(self) -> Any:
        return DomainEvent.objects.none()

    @LIST_SCHEMA
    def index(self, request: Request) -> Response:
        """One page: the whole catalogue (no cursor, no page size)."""
        kinds = [shown(kind) for kind in catalogue.event_types()]
        return Response({"next": None, "previous": None, "results": kinds})

    @SAMPLES_SCHEMA
    def samples(self, request: Request, event_type: str) -> Response:
        kind = catalogue.get(event_type)
        if kind is None or not catalogue.is_webhook(event_type):
            raise Http404("No such event type")
        base = api_base(request)
        found: list[dict[str, Any]] = []
        if reach.may_read(self.actor, kind):  # as a webhook would tell this client
            events = (
                DomainEvent.objects.for_actor(self.actor)
                .filter(name=event_type)
                .select_related("tenant")
                .order_by("-pk")[: SAMPLES * 5]
            )
            for event in events:
                details = reach.shown(self.actor, event)
                if details is not None and len(found) < SAMPLES:
                    # Encoded as a delivery's body is (instants to the millisecond).
                    body = payloads.sample_body(event, base, details)
                    found.append(json.loads(payloads.encode(body)))
        return Response(
            {
                "next": None,
                "previous": None,
                "results": found or [openapi.example_body(kind)],
            }
        )
