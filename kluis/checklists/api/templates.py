"""`/api/v1/checklist-templates/`: the company's onboarding and offboarding templates with
their tasks. Read with scope checklists:read (`checklists.view`); create (with its tasks)
and change (name, what it applies to, archive with `is_active`: false) with
checklists:write (`checklists.manage`), through kluis.checklists.services. Versioned."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.checklists import services
from kluis.checklists.api import examples
from kluis.checklists.models import ChecklistTemplate, Completion, Kind, OwnerRole, TemplateTask
from kluis.people.models import ContractType, Department


class TemplateTaskSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    owner_role = serializers.ChoiceField(
        choices=OwnerRole.choices,
        help_text="hr, manager, it, employee, or member (then `member` names who)",
    )
    member = serializers.IntegerField(required=False, allow_null=True, help_text="Membership id")
    due_offset_days = serializers.IntegerField(
        required=False,
        min_value=-366,
        max_value=366,
        help_text="Days after the start date (onboarding) or the last working day "
        "(offboarding); -5 is 5 days before",
    )
    completion = serializers.ChoiceField(
        choices=Completion.choices,
        required=False,
        allow_blank=True,
        help_text="The Kluis page where it is done",
    )
    completion_path = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text='For completion "path": a path inside Kluis, e.g. /time-off/',
    )


class TemplateSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    name = serializers.CharField(max_length=120)
    department = serializers.IntegerField(
        required=False, allow_null=True, help_text="Department id; null: every department"
    )
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices,
        required=False,
        allow_blank=True,
        help_text="Blank: every contract type",
    )
    is_active = serializers.BooleanField(required=False, help_text="False: archived")
    tasks = TemplateTaskSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class TemplateCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=Kind.choices)
    name = serializers.CharField(max_length=120)
    department = serializers.IntegerField(required=False, allow_null=True)
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices, required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(required=False)
    tasks = TemplateTaskSerializer(many=True, required=False, help_text="In their order")


class TemplateChangeSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    department = serializers.IntegerField(required=False, allow_null=True)
    contract_type = serializers.ChoiceField(
        choices=ContractType.choices, required=False, allow_blank=True
    )
    is_active = serializers.BooleanField(required=False)
    version = serializers.IntegerField(required=False, help_text="The version you read")


SHOWN = tuple(str(name) for name in TemplateSerializer().fields)
COLUMNS: dict[str, str] = {
    name: f"{name}_id" if name == "department" else name for name in SHOWN if name != "tasks"
}
TASK_FIELDS = tuple(str(name) for name in TemplateTaskSerializer().fields)


def _task(task: TemplateTask) -> dict[str, Any]:
    return {
        name: task.member_id if name == "member" else getattr(task, name) for name in TASK_FIELDS
    }


def represent(row: ChecklistTemplate) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["tasks"] = [
        _task(task) for task in TemplateTask.objects.for_tenant(row.tenant_id).filter(template=row)
    ]
    return {name: data[name] for name in SHOWN}


def _create(actor: Any, tenant: Any, data: dict[str, Any]) -> ChecklistTemplate:
    return services.create_template(actor, tenant, data)


def _change(actor: Any, row: ChecklistTemplate, data: dict[str, Any], **kw: Any) -> Any:
    data.pop("version", None)
    return services.update_template(actor, row, data, **kw)


TEMPLATES = Declaration(
    prefix="checklist-templates",
    singular="checklist template",
    model=ChecklistTemplate,
    serializer=TemplateSerializer,
    create_serializer=TemplateCreateSerializer,
    change_serializer=TemplateChangeSerializer,
    columns=COLUMNS,
    represent=represent,
    about=(
        "Onboarding and offboarding checklist templates and their tasks. Read with scope "
        "checklists:read; create and change with checklists:write."
    ),
    read="checklists.view",
    write="checklists.manage",
    filters={
        "kind": django_filters.ChoiceFilter(field_name="kind", choices=Kind.choices),
        "is_active": django_filters.BooleanFilter(field_name="is_active"),
        "department": django_filters.NumberFilter(field_name="department_id"),
    },
    orderings=("id", "name", "updated_at"),
    links={"department": Department},
    create=_create,
    change=_change,
    replace=False,
    versioned=True,
    events=("checklist_template.created", "checklist_template.updated"),
    example=examples.TEMPLATE,
    create_example={
        "kind": "onboarding",
        "name": "Onboarding for students",
        "contract_type": "student",
        "tasks": [examples.TEMPLATE_TASK],
    },
    change_example=("Archive it", {"is_active": False, "version": 1}),
    change_description="Send only the fields to change, with the `version` you read (or "
    "If-Match). A template is archived (`is_active`: false), never deleted. Its tasks are "
    "kept on the Settings page.",
    fields_example="id,kind,name,is_active",
)
