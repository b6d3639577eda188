"""`/api/v1/departments/`: list, read, create, change and delete departments (scope
employees:read to read, employees:write for the rest, through `organisation`'s
create/update/delete_department). A department still in use is not deleted (409); one
is archived with a PATCH of `archived` and shows `archived_at`.
Declared once (kluis/api/declared.py)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.people.models import Department
from kluis.people.services.organisation import (
    StillInUseError,
    create_department,
    delete_department,
    update_department,
)


class DepartmentSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    code = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    parent = serializers.IntegerField(  # type: ignore[assignment]
        required=False,
        allow_null=True,
        default=None,
        help_text="Department id of the parent department (not an archived one)",
    )
    archived_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it was archived (null: in use). An archived department stays on "
        "contracts, profiles and exports but cannot be chosen for new ones",
    )


class DepartmentChangeSerializer(DepartmentSerializer):
    """The body of a PATCH or PUT: that of a POST, plus `archived`."""

    archived = serializers.BooleanField(
        required=False, help_text="true archives the department, false brings it back"
    )


DEPARTMENTS = Declaration(
    prefix="departments",
    singular="department",
    model=Department,
    serializer=DepartmentSerializer,
    change_serializer=DepartmentChangeSerializer,
    columns={
        "id": "id",
        "name": "name",
        "code": "code",
        "parent": "parent_id",
        "archived_at": "archived_at",
    },
    about=(
        "Departments form the company's organisation tree (a department may have a parent). "
        "Read with scope employees:read; create, change and delete with employees:write."
    ),
    read="people.view",
    write="people.edit",
    filters={
        "parent": django_filters.NumberFilter(field_name="parent_id"),
        "archived": django_filters.BooleanFilter(
            field_name="archived_at", lookup_expr="isnull", exclude=True
        ),
    },
    orderings=("id", "name", "code"),
    links={"parent": Department},
    create=lambda actor, tenant, data: create_department(actor, tenant, **data),
    change=update_department,
    remove=delete_department,
    conflicts=(StillInUseError,),
    events=(
        "department.created",
        "department.updated",
        "department.archived",
        "department.unarchived",
        "department.deleted",
    ),
    example={"id": 2, "name": "Finance", "code": "FIN", "parent": None, "archived_at": None},
    create_example={"name": "Finance", "code": "FIN"},
    change_example=("Move under another", {"parent": 1}),
    change_description="Send only the fields to change. A department cannot move under "
    "itself or one of its own sub-departments, nor under an archived one (422 on parent). "
    '`{"archived": true}` archives it: it stays on contracts, profiles and exports but '
    "cannot be chosen any more; `false` brings it back.",
    replace_description="The body of a POST; `code` and `parent` left out become empty, "
    "`archived` left out stays as it is.",
    delete_description="Only a department that no one, no team, no sub-department and no "
    "contract (also a past one) names; otherwise 409 saying what still does: move people, "
    "teams and sub-departments first, and archive a department past contracts name.",
    conflict_example="This department still has 12 people, 1 team: move them first.",
)
