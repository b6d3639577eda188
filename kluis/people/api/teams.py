"""`/api/v1/teams/`: list, read, create, change and delete teams (scope employees:read
to read, employees:write for the rest, through `organisation`'s create/update/
delete_team). A team still named by a contract or an employee is not deleted (409).
Declared once (kluis/api/declared.py)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from kluis.api.declared import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.people.models import Department, Team
from kluis.people.services.organisation import (
    StillInUseError,
    create_team,
    delete_team,
    update_team,
)


class TeamSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(max_length=120)
    department = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Department id"
    )


EXAMPLE = {"id": 5, "name": "Payroll", "department": 2}

TEAMS = Declaration(
    prefix="teams",
    singular="team",
    model=Team,
    serializer=TeamSerializer,
    columns={"id": "id", "name": "name", "department": "department_id"},
    about=(
        "Teams group employees, optionally within a department. Read with scope "
        "employees:read; create, change and delete with employees:write."
    ),
    read="people.view",
    write="people.edit",
    filters={"department": django_filters.NumberFilter(field_name="department_id")},
    orderings=("id", "name"),
    links={"department": Department},
    create=lambda actor, tenant, data: create_team(actor, tenant, **data),
    change=update_team,
    remove=delete_team,
    conflicts=(StillInUseError,),
    events=("team.created", "team.updated", "team.deleted"),
    example=EXAMPLE,
    create_example={"name": "Payroll", "department": 2},
    change_example=("Rename", {"name": "Payroll & benefits"}),
    replace_description="The body of a POST; a `department` left out becomes null.",
    delete_description="Only a team that no contract (also a past one) or employee names; "
    "otherwise 409 saying what still does.",
    conflict_example=(
        "The team is still in use: 3 employees, 5 contracts. Move them to another team "
        "first; a team named in past contracts stays, as part of their history."
    ),
)
