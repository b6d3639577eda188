"""`/api/v1/leave-types/`: the company's kinds of leave (legal holiday, time credit, ...).
Read with scope timeoff:read (`timeoff.view_calendar`: every member sees which types
exist, as calendars show them); create, change and delete with timeoff:write
(`timeoff.manage`), through kluis.timeoff.services.types. Versioned (If-Match or
`version`); a type that requests or balance lines use is turned off, never deleted (409).
Declared once (kluis/api/declared.py)."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.timeoff.api import examples
from kluis.timeoff.models import (
    Accrual,
    Approval,
    Category,
    LeaveType,
    ReasonVisibility,
    Rule,
    Unit,
)
from kluis.timeoff.services import types

AMOUNT: dict[str, Any] = {"max_digits": 8, "decimal_places": 2}


class LeaveTypeSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    code = serializers.SlugField(max_length=40, help_text="Unique in the company")
    name = serializers.CharField(max_length=100)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    unit = serializers.ChoiceField(
        choices=Unit.choices, required=False, help_text="How balances are shown: days or hours"
    )
    rule = serializers.ChoiceField(
        choices=Rule.choices, required=False, help_text="How the yearly entitlement is computed"
    )
    yearly_entitlement = serializers.DecimalField(
        **AMOUNT, required=False, help_text='For rule "fixed": days (or hours) a full-time year'
    )
    accrual = serializers.ChoiceField(choices=Accrual.choices, required=False)
    carry_over_limit = serializers.DecimalField(
        **AMOUNT,
        required=False,
        allow_null=True,
        help_text="What may move to the next year (in the unit); null: everything",
    )
    expires_after_months = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=120,
        help_text="Months after the year's end a year's days expire; null: never",
    )
    allow_negative = serializers.BooleanField(required=False)
    approval = serializers.ChoiceField(choices=Approval.choices, required=False)
    reason_visible_to = serializers.ChoiceField(
        choices=ReasonVisibility.choices,
        required=False,
        help_text="Who reads a request's reason: approvers (the employee, their approvers "
        "and HR) or hr (the employee and HR only)",
    )
    colour = serializers.RegexField(r"^#[0-9a-fA-F]{6}$", required=False)
    is_active = serializers.BooleanField(required=False)
    position = serializers.IntegerField(required=False, min_value=0, max_value=10000)
    version = serializers.IntegerField(
        required=False, help_text="The version you read (a change answers 412 when stale)"
    )


FIELDS = tuple(LeaveTypeSerializer().fields)


def represent(row: LeaveType) -> dict[str, Any]:
    """As a page written by the database shows it: amounts as decimal strings."""
    data = {name: getattr(row, name) for name in FIELDS}
    for name in ("yearly_entitlement", "carry_over_limit"):
        if data[name] is not None:
            data[name] = f"{data[name]:.2f}"
    return data


def _create(actor: Any, tenant: Any, data: dict[str, Any]) -> LeaveType:
    data.pop("version", None)
    return types.create_leave_type(actor, tenant, data)


def _change(actor: Any, row: LeaveType, data: dict[str, Any], **kwargs: Any) -> LeaveType:
    return types.update_leave_type(actor, row, data, **kwargs)


LEAVE_TYPES = Declaration(
    prefix="leave-types",
    singular="leave type",
    model=LeaveType,
    serializer=LeaveTypeSerializer,
    columns={name: name for name in FIELDS},
    represent=represent,
    about=(
        "The company's kinds of leave and how each is counted. Read with scope "
        "timeoff:read; create, change and delete with timeoff:write."
    ),
    read="timeoff.view_calendar",
    write="timeoff.manage",
    filters={
        "is_active": django_filters.BooleanFilter(field_name="is_active"),
        "category": django_filters.CharFilter(field_name="category"),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="updated_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "position", "name", "code"),
    create=_create,
    change=_change,
    remove=types.delete_leave_type,
    replace=False,
    versioned=True,
    conflicts=(types.LeaveTypeInUseError,),
    events=("leave_type.created", "leave_type.updated", "leave_type.deleted"),
    example=examples.LEAVE_TYPE,
    create_example={
        "code": "sabbatical",
        "name": "Sabbatical",
        "category": "unpaid",
        "unit": "days",
        "rule": "none",
        "approval": "manager_then_hr",
    },
    change_example=("Raise the entitlement", {"yearly_entitlement": "22.00", "version": 1}),
    change_description="Send only the fields to change, with the `version` you read (or "
    "If-Match): 412 when someone changed the type since.",
    delete_description="Only a type no request and no balance line names; otherwise 409: "
    "archive it (`is_active`: false) so its history stays: an archived type is no longer "
    "offered for new requests but stays on requests, balances and exports.",
    conflict_example=(
        "14 leave requests and balance lines use this leave type: archive it instead, so "
        "their history stays."
    ),
    fields_example="id,code,name,unit",
)
