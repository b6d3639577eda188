"""`/api/v1/audit-events/`: the company's audit log, read only, for auditors (scope
audit:read). Filters as in the UI: actor (part of the label), action, object type and
id, and a date range; newest first by default."""

from __future__ import annotations

import hashlib
import json
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.schema import problem_responses
from kluis.api.sparse import FIELDS_PARAMETER
from kluis.api.views import RowViewSet
from kluis.audit.models import AuditEvent
from kluis.audit.selectors import events_of, shown_changes, shown_label


class AuditEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    sequence = serializers.IntegerField(help_text="Position in the company's hash chain")
    occurred_at = serializers.DateTimeField()
    actor_kind = serializers.CharField(help_text="user, api_client, system, ...")
    actor_label = serializers.CharField()
    action = serializers.CharField(help_text="e.g. employee.hired")
    object_type = serializers.CharField(allow_blank=True)
    object_id = serializers.CharField(allow_blank=True)
    object_repr = serializers.CharField(allow_blank=True)
    changes = serializers.DictField(
        child=serializers.JSONField(),
        help_text=(
            "{field: {old, new}}; sensitive values masked when written, and a value the "
            'client\'s scopes do not reveal reads "[hidden]"'
        ),
    )
    ip = serializers.IPAddressField(allow_null=True)
    request_id = serializers.CharField(allow_blank=True)
    hash = serializers.CharField(help_text="SHA-256 of this event and the previous hash")
    prev_hash = serializers.CharField()


SELECTABLE = set(AuditEventSerializer().fields)


def represent(actor: Actor, event: AuditEvent) -> dict[str, Any]:
    """One event as this client may see it: values its scopes do not reveal are hidden."""
    return {
        "id": event.pk,
        "sequence": event.sequence,
        "occurred_at": event.occurred_at,
        "actor_kind": event.actor_kind,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": shown_label(actor, event),
        "changes": shown_changes(actor, event),
        "ip": event.ip,
        "request_id": event.request_id,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }


class AuditEventApiFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(field_name="actor_label", lookup_expr="icontains")
    action = django_filters.CharFilter(field_name="action")
    object_type = django_filters.CharFilter(field_name="object_type")
    object_id = django_filters.CharFilter(field_name="object_id")
    date_from = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte")
    date_to = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__lte")
    updated_since = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")

    class Meta:
        model = AuditEvent
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 901,
    "sequence": 57,
    "occurred_at": "2026-03-01T14:12:00Z",
    "actor_kind": "api_client",
    "actor_label": "api:Payroll sync",
    "action": "employee.updated",
    "object_type": "people.employee",
    "object_id": "42",
    "object_repr": "Anna Peeters",
    "changes": {"work_phone": {"old": "+3225550101", "new": "+3225550199"}},
    "ip": "192.0.2.10",
    "request_id": "5f0c7d2e",
    "hash": "9b1d…",
    "prev_hash": "77aa…",
}


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description="Needs scope audit:read. Newest first unless `ordering` says otherwise.",
        parameters=[FIELDS_PARAMETER],
        responses={200: AuditEventSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of audit events", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one audit event",
        parameters=[FIELDS_PARAMETER],
        responses={200: AuditEventSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("An audit event", value=EXAMPLE)],
    ),
)
class AuditEventViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "audit_event_pk"
    not_found = "No such audit event"

    def represent(self, row: AuditEvent) -> dict[str, Any]:
        return represent(self.actor, row)

    def etag(self, row: AuditEvent, data: dict[str, Any]) -> str:
        # The event's own hash names its content; a view with hidden values names that too.
        tag = f"{row.pk}-{row.hash[:16]}"
        if data["changes"] != row.changes or data["object_repr"] != row.object_repr:
            shown = json.dumps([data["object_repr"], data["changes"]], sort_keys=True, default=str)
            tag += "-" + hashlib.sha256(shown.encode()).hexdigest()[:8]
        return f'W/"{tag}"'

    serializer_class = AuditEventSerializer
    filterset_class = AuditEventApiFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["sequence", "occurred_at"]
    ordering = ["-sequence"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": "audit.view"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {
            "cursor",
            "page_size",
            "ordering",
            "fields",
            "actor",
            "action",
            "object_type",
            "object_id",
            "date_from",
            "date_to",
            "updated_since",
        },
        "retrieve": {"fields"},
    }

    def get_queryset(self) -> QuerySet[AuditEvent]:
        if getattr(self, "swagger_fake_view", False) or self.actor.tenant is None:
            return AuditEvent.objects.none()
        return events_of(self.actor.tenant)
