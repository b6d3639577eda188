"""`/api/v1/checklists/`: the onboarding and offboarding checklists of employees. Read
with scope checklists:read (`checklists.view`: HR and API keys the company's, a manager
their team's, an employee their own; anyone the checklists they have a task in). Create
(start one from a template for an employee) and cancel with checklists:write
(`checklists.manage`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration, ItemAction
from kluis.api.serializers import StrictSerializer
from kluis.checklists import selectors, services
from kluis.checklists.api import examples
from kluis.checklists.models import Checklist, ChecklistTemplate, Kind, Status
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant


class ChecklistSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="Employee id")
    template = serializers.IntegerField(allow_null=True, help_text="Template id")
    kind = serializers.ChoiceField(choices=Kind.choices, read_only=True)
    name = serializers.CharField(read_only=True)
    anchor_date = serializers.DateField(
        help_text="The start date (onboarding) or last working day (offboarding)"
    )
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    started_by = serializers.CharField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    version = serializers.IntegerField(read_only=True)


class StartSerializer(StrictSerializer):
    employee = serializers.IntegerField(help_text="Employee id")
    template = serializers.IntegerField(
        required=False,
        help_text="Template id; left out, the template matching the employee (of `kind`)",
    )
    kind = serializers.ChoiceField(
        choices=Kind.choices, required=False, help_text="Without a template: which kind"
    )
    anchor_date = serializers.DateField(
        required=False,
        help_text="Left out: the contract's start date (onboarding) or end date (offboarding)",
    )


class CancelSerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, help_text="The version you read")


SHOWN = tuple(str(name) for name in ChecklistSerializer().fields)
COLUMNS: dict[str, str] = {
    name: f"{name}_id" if name in ("employee", "template") else name for name in SHOWN
}


def _rows(actor: Actor) -> QuerySet[Checklist]:
    return selectors.visible_checklists(actor)


def _start(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Checklist:
    """The employee and template come as rows of the company (the declaration's links)."""
    employee = data.get("employee")
    if not isinstance(employee, Employee):
        raise ValidationError({"employee": ["Choose one from the list."]})
    template = data.get("template")
    if template is None:
        template = selectors.matching_template(
            tenant, data.get("kind") or Kind.ONBOARDING, employee
        )
    if not isinstance(template, ChecklistTemplate):
        raise ValidationError({"template": ["No template matches this employee."]})
    anchor: dt.date | None = data.get("anchor_date")
    return services.start_checklist(actor, employee, template, anchor_date=anchor)


def _cancel(actor: Actor, row: Checklist, data: dict[str, Any], **kw: Any) -> Checklist:
    return services.cancel_checklist(actor, row, expected_version=kw.get("expected_version"))


CHECKLISTS = Declaration(
    prefix="checklists",
    singular="checklist",
    model=Checklist,
    serializer=ChecklistSerializer,
    create_serializer=StartSerializer,
    columns=COLUMNS,
    rows=_rows,
    about=(
        "Employees' onboarding and offboarding checklists. Read with scope "
        "checklists:read; start and cancel with checklists:write. Their tasks are at "
        "/api/v1/checklist-tasks/?checklist=<id>."
    ),
    read="checklists.view",
    write="checklists.manage",
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "kind": django_filters.ChoiceFilter(field_name="kind", choices=Kind.choices),
        "status": django_filters.ChoiceFilter(field_name="status", choices=Status.choices),
    },
    orderings=("id", "anchor_date", "started_at"),
    links={"employee": Employee, "template": ChecklistTemplate},
    create=_start,
    versioned=True,
    conflicts=(services.ChecklistConflictError,),
    events=(
        "checklist.started",
        "checklist.completed",
        "checklist.reopened",
        "checklist.cancelled",
    ),
    example=examples.CHECKLIST,
    create_example={"employee": 42, "template": 4, "anchor_date": "2026-04-01"},
    summaries={"create": "Start a checklist"},
    descriptions={
        "create": "Needs scope checklists:write. Copies the template's tasks, each due its "
        "offset after `anchor_date`, assigned and announced in each owner's inbox. 422 "
        "when the employee already has an open checklist of that kind.",
    },
    actions=(
        ItemAction(
            "cancel",
            _cancel,
            CancelSerializer,
            "checklists.manage",
            "Cancel a checklist",
            description="Needs checklists:write. Its open tasks are no longer anyone's.",
            example={"version": 1},
            result_example={"status": "cancelled", "version": 2},
            conflict_example="Only an open checklist can be cancelled.",
        ),
    ),
    fields_example="id,employee,kind,status",
)
