"""`/api/v1/checklist-tasks/`: the tasks of the checklists a reader sees (filter by
`checklist`, `assignee`, `done`). Read with checklists:read; `complete` and `reopen` are
actions on a task, by the person responsible for it or with checklists:write (HR)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration, ItemAction
from kluis.api.serializers import StrictSerializer
from kluis.checklists import selectors, services
from kluis.checklists.api import examples
from kluis.checklists.links import link_of
from kluis.checklists.models import ChecklistTask, Completion, OwnerRole


class TaskSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    checklist = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(read_only=True, help_text="The checklist's employee")
    position = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    owner_role = serializers.ChoiceField(choices=OwnerRole.choices, read_only=True)
    assignee = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Membership id; null: HR's"
    )
    due_date = serializers.DateField(read_only=True)
    completion = serializers.ChoiceField(choices=Completion.choices, read_only=True)
    link = serializers.CharField(read_only=True, help_text="The Kluis page where it is done")
    done = serializers.BooleanField(read_only=True)
    completed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    completed_by = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)


class TaskActionSerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, help_text="The version you read")


FIELDS = tuple(str(name) for name in TaskSerializer().fields)
COLUMNS = {
    name: f"{name}_id" if name in ("checklist", "assignee") else name
    for name in FIELDS
    if name not in ("employee", "link")
}


def represent(row: ChecklistTask) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["employee"] = row.checklist.employee_id
    data["link"] = link_of(row)
    return {name: data[name] for name in FIELDS}


def _rows(actor: Actor) -> QuerySet[ChecklistTask]:
    return selectors.visible_tasks(actor).select_related("checklist")


def _complete(actor: Actor, row: ChecklistTask, data: dict[str, Any], **kw: Any) -> Any:
    return services.complete_task(actor, row, expected_version=kw.get("expected_version"))


def _reopen(actor: Actor, row: ChecklistTask, data: dict[str, Any], **kw: Any) -> Any:
    return services.reopen_task(actor, row, expected_version=kw.get("expected_version"))


TASKS = Declaration(
    prefix="checklist-tasks",
    singular="checklist task",
    model=ChecklistTask,
    serializer=TaskSerializer,
    columns=COLUMNS,
    represent=represent,
    rows=_rows,
    about=(
        "The tasks of onboarding and offboarding checklists. Read with scope "
        "checklists:read; complete and reopen as the person responsible, or with "
        "checklists:write."
    ),
    read="checklists.view",
    filters={
        "checklist": django_filters.NumberFilter(field_name="checklist_id"),
        "assignee": django_filters.NumberFilter(field_name="assignee_id"),
        "done": django_filters.BooleanFilter(field_name="done"),
        "due_before": django_filters.DateFilter(field_name="due_date", lookup_expr="lte"),
    },
    orderings=("id", "due_date"),
    versioned=True,
    conflicts=(services.ChecklistConflictError,),
    events=("task.completed", "task.reopened", "task.overdue"),
    example=examples.TASK,
    actions=(
        ItemAction(
            "complete",
            _complete,
            TaskActionSerializer,
            "checklists.view",
            "Complete a checklist task",
            description="By the person responsible for the task, or with checklists:write "
            "(HR); anyone else 403. The last open task completes the checklist.",
            example={"version": 1},
            result_example={"done": True, "version": 2},
            conflict_example="This task is already done.",
        ),
        ItemAction(
            "reopen",
            _reopen,
            TaskActionSerializer,
            "checklists.view",
            "Reopen a checklist task",
            description="By the person responsible for the task, or with checklists:write; "
            "a completed checklist opens again.",
            example={"version": 2},
            result_example={"done": False, "version": 3},
            conflict_example="This task is not done.",
        ),
    ),
    fields_example="id,title,due_date,done",
)
