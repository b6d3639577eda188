"""`/api/v1/teams/`: list, read, create, change and delete teams (scope employees:read
to read, employees:write for the rest, through `organisation`'s create/update/
delete_team). A team still named by a contract or an employee is not deleted (409); one is archived
with a PATCH of `archived` and shows `archived_at`.
Declared once (kluis/api/declared.py)."""

from __future__ import annotations

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration
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
        required=False,
        allow_null=True,
        default=None,
        help_text="Department id (not an archived one, unless the team's already)",
    )
    archived_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it was archived (null: in use). An archived team stays on contracts, "
        "profiles and exports but cannot be chosen for new ones",
    )


class TeamChangeSerializer(TeamSerializer):
    """The body of a PATCH or PUT: that of a POST, plus `archived`."""

    archived = serializers.BooleanField(
        required=False, help_text="true archives the team, false brings it back"
    )


EXAMPLE = {"id": 5, "name": "Payroll", "department": 2, "archived_at": None}

TEAMS = Declaration(
    prefix="teams",
    singular="team",
    model=Team,
    serializer=TeamSerializer,
    change_serializer=TeamChangeSerializer,
    columns={
        "id": "id",
        "name": "name",
        "department": "department_id",
        "archived_at": "archived_at",
    },
    about=(
        "Teams group employees, optionally within a department. Read with scope "
        "employees:read; create, change and delete with employees:write."
    ),
    read="people.view",
    write="people.edit",
    filters={
        "department": django_filters.NumberFilter(field_name="department_id"),
        "archived": django_filters.BooleanFilter(
            field_name="archived_at", lookup_expr="isnull", exclude=True
        ),
    },
    orderings=("id", "name"),
    links={"department": Department},
    create=lambda actor, tenant, data: create_team(actor, tenant, **data),
    change=update_team,
    remove=delete_team,
    conflicts=(StillInUseError,),
    events=("team.created", "team.updated", "team.archived", "team.unarchived", "team.deleted"),
    example=EXAMPLE,
    create_example={"name": "Payroll", "department": 2},
    change_example=("Rename", {"name": "Payroll & benefits"}),
    change_description="Send only the fields to change. An archived department cannot be "
    'chosen (422 on department). `{"archived": true}` archives the team: it stays on '
    "contracts, profiles and exports but cannot be chosen any more; `false` brings it back.",
    replace_description="The body of a POST; a `department` left out becomes null, "
    "`archived` left out stays as it is.",
    delete_description="Only a team that no one and no contract (also a past one) names; "
    "otherwise 409 saying what still does: move its people first, and archive a team past "
    "contracts name.",
    conflict_example="This team still has 3 people: move them first.",
)
