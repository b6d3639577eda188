"""`/api/v1/changes/`: the change feed for integrations that sync, the API's side of
/people/changes/ (scope employees:read, the page's people.view). One row per saved version
of an employee's file, oldest first, with the changes of it the client may see: the one
visibility policy (kluis/access/visibility.py) decides which, exactly as on the page, so a
key without wages:read never learns that a wage changed (nor who changed it, or when).
Sealed values are masked (••••••), never opened. Read-only: versions are written by the
services that change an employee."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access import visibility
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import FIELDS_PARAMETER, pick, requested_fields
from kluis.api.views import RowViewSet
from kluis.people.models import EmployeeVersion
from kluis.people.permissions import scoped_by_employee
from kluis.people.selectors import EMPLOYEE, changes_shown, version_changes

READ = "people.view"
# The columns a page of changes shows.
LISTED = (
    "id",
    "employee_id",
    "version",
    "changed_at",
    "actor_label",
    "changed_fields",
    "old_values",
    "snapshot",
)


class ChangeSerializer(StrictSerializer):
    field = serializers.CharField(help_text="The field of the employee's file that changed")
    old = serializers.CharField(
        allow_null=True,
        help_text='The value before; "••••••" for a sealed field, null for a contract, a wage '
        "or custom fields (that they changed: read them at their own resource)",
    )
    new = serializers.CharField(allow_null=True, help_text="The value after, shown as `old`")


class VersionSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True, help_text="The change's id (the cursor's)")
    employee = serializers.IntegerField(read_only=True, help_text="Employee id")
    version = serializers.IntegerField(read_only=True, help_text="The employee's version")
    changed_at = serializers.DateTimeField(read_only=True)
    actor = serializers.CharField(read_only=True, help_text="Who made the change")
    changes = ChangeSerializer(many=True, read_only=True)


class ChangeFilter(django_filters.FilterSet):
    since = django_filters.IsoDateTimeFilter(field_name="changed_at", lookup_expr="gt")
    employee = django_filters.NumberFilter(field_name="employee_id")

    class Meta:
        model = EmployeeVersion
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 918,
    "employee": 42,
    "version": 7,
    "changed_at": "2026-03-02T09:15:00Z",
    "actor": "hr@demo-bv.test",
    "changes": [
        {"field": "job_title", "old": "Developer", "new": "Lead developer"},
        {"field": "iban", "old": "••••••", "new": "••••••"},
    ],
}


def shown_versions(actor: Any, versions: QuerySet[EmployeeVersion]) -> QuerySet[EmployeeVersion]:
    """Only versions with a change the actor may see, decided in the query: a version
    whose every changed field is hidden (a wage, for a key without wages:read) is not
    listed at all, so the page never says that something changed. An API client's grants
    are company-wide, so what it may see does not depend on the employee."""
    declared = visibility.declared(EMPLOYEE)
    names = list(declared.fields) if declared is not None else []
    shown = visibility.visible_fields(actor, EMPLOYEE, names)
    if len(shown) == len(names):
        return versions  # every field: nothing to leave out (a field nobody declared is
        # hidden from everyone, and is not in a version either)
    if not shown:
        return versions.none()
    # The JSON list's text has each field name in double quotes: "iban", "wage".
    anyone = Q()
    for name in shown:
        anyone |= Q(fields_text__contains=f'"{name}"')
    return versions.alias(fields_text=Cast("changed_fields", TextField())).filter(anyone)


@extend_schema_view(
    list=extend_schema(
        summary="List changes to employees' files",
        description="Oldest first. `?since=` gives the changes after an instant: keep the "
        "`changed_at` of the last one seen (or follow `next`).",
        parameters=[FIELDS_PARAMETER],
        responses={200: VersionSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of changes", value=EXAMPLE)],
    ),
    retrieve=extend_schema(
        summary="Read one change",
        parameters=[FIELDS_PARAMETER],
        responses={200: VersionSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A change", value=EXAMPLE)],
    ),
)
class ChangeViewSet(RowViewSet):
    selectable = set(VersionSerializer().fields)
    object_url_kwarg = "change_pk"
    not_found = "No such change"
    serializer_class = VersionSerializer
    filterset_class = ChangeFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "changed_at"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": READ}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "since", "employee"},
        "retrieve": {"fields"},
    }

    def get_queryset(self) -> QuerySet[EmployeeVersion]:
        if getattr(self, "swagger_fake_view", False):
            return EmployeeVersion.objects.none()
        actor = self.actor
        versions = scoped_by_employee(actor, READ, EmployeeVersion.objects.for_actor(actor))
        return shown_versions(actor, versions).select_related("employee")

    def represent(self, row: EmployeeVersion) -> dict[str, Any]:
        return {
            "id": row.pk,
            "employee": row.employee_id,
            "version": row.version,
            "changed_at": row.changed_at,
            "actor": row.actor_label,
            "changes": version_changes(self.actor, row),
        }

    def list(self, request: Request) -> Response:
        """A page read as values, not versions with their employees: an API client's
        grants are company-wide (as `shown_versions` relies on), so what it sees of a
        change does not depend on the employee, and only the columns shown are read (not
        the sealed snapshot)."""
        only = requested_fields(request, self.selectable)
        actor = self.actor
        page = self.page(lambda: self.get_queryset().select_related(None).values(*LISTED))
        return self.get_paginated_response(
            [
                pick(
                    {
                        "id": row["id"],
                        "employee": row["employee_id"],
                        "version": row["version"],
                        "changed_at": row["changed_at"],
                        "actor": row["actor_label"],
                        "changes": changes_shown(
                            visibility.visible_fields(actor, EMPLOYEE, row["changed_fields"]),
                            row["old_values"],
                            row["snapshot"],
                        ),
                    },
                    only,
                )
                for row in page
            ]
        )
