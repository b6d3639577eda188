"""`/api/v1/departments/`: list, read, create, change and delete departments (scope
employees:read to read, employees:write for the rest, through `organisation`'s
create/update/delete_department). A department still in use is not deleted (409).
Declared once (kluis/api/declared.py)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from kluis.api.declared import Declaration
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
        help_text="Department id of the parent department",
    )


DEPARTMENTS = Declaration(
    prefix="departments",
    singular="department",
    model=Department,
    serializer=DepartmentSerializer,
    columns={"id": "id", "name": "name", "code": "code", "parent": "parent_id"},
    about=(
        "Departments form the company's organisation tree (a department may have a parent). "
        "Read with scope employees:read; create, change and delete with employees:write."
    ),
    read="people.view",
    write="people.edit",
    filters={"parent": django_filters.NumberFilter(field_name="parent_id")},
    orderings=("id", "name", "code"),
    links={"parent": Department},
    create=lambda actor, tenant, data: create_department(actor, tenant, **data),
    change=update_department,
    remove=delete_department,
    conflicts=(StillInUseError,),
    events=("department.created", "department.updated", "department.deleted"),
    example={"id": 2, "name": "Finance", "code": "FIN", "parent": None},
    create_example={"name": "Finance", "code": "FIN"},
    change_example=("Move under another", {"parent": 1}),
    change_description="Send only the fields to change. A department cannot move under "
    "itself or one of its own sub-departments (422 on parent).",
    replace_description="The body of a POST; `code` and `parent` left out become empty.",
    delete_description="Only a department that no employee, contract (also a past one), "
    "team or sub-department names; otherwise 409 saying what still does.",
    conflict_example=(
        "The department is still in use: 4 employees, 6 contracts, 1 team. Move them to "
        "another department first; a department named in past contracts stays, as part of "
        "their history."
    ),
)
