"""`/api/v1/leave-requests/`: leave asked for, approved, rejected or cancelled.

Read with scope timeoff:read (`timeoff.view`: an employee their own, a manager their
team's, HR and API keys the company's). A request's `reason` is shown only to who may
read it (its leave type's `reason_visible_to`, kluis/timeoff/api/reads.py); to anyone else
the field is absent. Create and change a pending request with timeoff:write
(`timeoff.request`); approve and reject (`timeoff.approve`: nobody their own request) and
cancel (`timeoff.request`) are actions on the request, each honouring If-Match or a
`version`. `GET .../history/` lists every step of the request."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration, History, ItemAction
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import pick
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, scoped, scoped_by_employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.api import examples
from kluis.timeoff.api.reads import reasons_everywhere, reasons_shown
from kluis.timeoff.models import DayPart, EntryVersion, LeaveRequest, LeaveType, Stage, Status

READ = "timeoff.view"
REQUEST = "timeoff.request"
APPROVE = "timeoff.approve"
VERSION_HELP = "The version you read (or send If-Match); 412 when it is stale"


class LeaveRequestSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(
        required=False,
        help_text="Employee id; left out, the signed-in member's own (an app token)",
    )
    leave_type = serializers.IntegerField(help_text="Leave type id")
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    start_part = serializers.ChoiceField(
        choices=[DayPart.FULL, DayPart.AFTERNOON],
        required=False,
        help_text="The first day: full, or from the afternoon",
    )
    end_part = serializers.ChoiceField(
        choices=[DayPart.FULL, DayPart.MORNING],
        required=False,
        help_text="The last day: full, or until noon",
    )
    hours = serializers.DecimalField(
        max_digits=8,
        decimal_places=2,
        required=False,
        allow_null=True,
        help_text="Sent: the hours asked for, one day of a type counted in hours. Shown: "
        "the hours the request takes from the employee's schedule",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Absent unless you may read it (the leave type's reason_visible_to)",
    )
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    stage = serializers.ChoiceField(
        choices=Stage.choices, read_only=True, help_text="Whose approval it waits for"
    )
    decided_by = serializers.CharField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_comment = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class LeaveRequestChangeSerializer(StrictSerializer):
    leave_type = serializers.IntegerField(required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    start_part = serializers.ChoiceField(choices=[DayPart.FULL, DayPart.AFTERNOON], required=False)
    end_part = serializers.ChoiceField(choices=[DayPart.FULL, DayPart.MORNING], required=False)
    hours = serializers.DecimalField(
        max_digits=8, decimal_places=2, required=False, allow_null=True
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeaveDecisionSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeaveCancelSerializer(StrictSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class LeaveRequestStepSerializer(StrictSerializer):
    version = serializers.IntegerField(help_text="The request's version after this step")
    action = serializers.CharField(help_text="requested, changed, approved, rejected, ...")
    changed_at = serializers.DateTimeField()
    actor = serializers.CharField(help_text="Who did it")
    changed_fields = serializers.ListField(child=serializers.CharField())
    old_values = serializers.DictField()
    new_values = serializers.DictField()
    comment = serializers.CharField(allow_blank=True)


SHOWN = tuple(LeaveRequestSerializer().fields)
# The reason is a column too: shown on a page the reader sees every reason of (or none
# of: then left out), written by the database; row by row otherwise (`represent_rows`).
COLUMNS = {name: f"{name}_id" if name in ("employee", "leave_type") else name for name in SHOWN}


def represent(row: LeaveRequest) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["hours"] = f"{row.hours:.2f}"  # as a page written by the database shows it
    return data


def represent_rows(actor: Actor, rows: list[Any], only: set[str] | None) -> list[dict[str, Any]]:
    shown = reasons_shown(actor, rows) if only is None or "reason" in only else set()
    result = []
    for row in rows:
        data = represent(row)
        if row.pk not in shown:
            del data["reason"]
        result.append(pick(data, only))
    return result


def _rows(actor: Actor) -> QuerySet[LeaveRequest]:
    return scoped_by_employee(actor, READ, LeaveRequest.objects.for_actor(actor))


def _employee(actor: Actor, data: dict[str, Any]) -> Employee:
    """The employee a new request is for: one the client may request leave for, by
    default the signed-in member themself; anything else is a 422 on `employee`."""
    pk = data.pop("employee", None) or actor_employee_id(actor)
    found = scoped(actor, REQUEST, Employee.objects.all()).filter(pk=pk).first() if pk else None
    if found is None:
        raise ValidationError({"employee": ["Choose one from the list."]})
    return found


def _create(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> LeaveRequest:
    return services.request_leave(actor, _employee(actor, data), data)


def _approve(actor: Actor, row: LeaveRequest, data: dict[str, Any], **kw: Any) -> LeaveRequest:
    return services.approve_request(actor, row, comment=data.get("comment", ""), **kw)


def _reject(actor: Actor, row: LeaveRequest, data: dict[str, Any], **kw: Any) -> LeaveRequest:
    return services.reject_request(actor, row, comment=data.get("comment", ""), **kw)


def _cancel(actor: Actor, row: LeaveRequest, data: dict[str, Any], **kw: Any) -> LeaveRequest:
    return services.cancel_request(actor, row, reason=data.get("reason", ""), **kw)


def _history(row: LeaveRequest) -> QuerySet[EntryVersion]:
    return EntryVersion.objects.for_tenant(row.tenant_id).filter(request=row).order_by("pk")


def _step(actor: Actor, row: LeaveRequest, step: EntryVersion) -> dict[str, Any]:
    """A step as this reader may see it: the reason's values only where the reason is
    shown (its change is still named)."""
    old, new = dict(step.old_values), dict(step.new_values)
    if "reason" in step.changed_fields and row.pk not in reasons_shown(actor, [row]):
        old.pop("reason", None)
        new.pop("reason", None)
    return {
        "version": step.version,
        "action": step.action,
        "changed_at": step.changed_at,
        "actor": step.actor_label,
        "changed_fields": list(step.changed_fields),
        "old_values": old,
        "new_values": new,
        "comment": step.comment,
    }


APPROVED = {"status": "approved", "stage": "", "version": 2, "decided_by": "manager@demo-bv.test"}
HISTORY_EXAMPLE = {
    "version": 1,
    "action": "requested",
    "changed_at": "2026-06-02T09:14:05Z",
    "actor": "member1@demo-bv.test",
    "changed_fields": ["end_date", "leave_type", "start_date"],
    "old_values": {},
    "new_values": {"leave_type": 3, "start_date": "2026-07-20", "end_date": "2026-07-31"},
    "comment": "",
}

LEAVE_REQUESTS = Declaration(
    prefix="leave-requests",
    singular="leave request",
    model=LeaveRequest,
    serializer=LeaveRequestSerializer,
    change_serializer=LeaveRequestChangeSerializer,
    columns=COLUMNS,
    represent=represent,
    represent_rows=represent_rows,
    revealed_when={"reason": reasons_everywhere},
    rows=_rows,
    about=(
        "Leave asked for and its decision. Read with scope timeoff:read (an app token: your "
        "own, your team's as a manager); write with timeoff:write. The `reason` is absent "
        "unless you may read it."
    ),
    read=READ,
    write=REQUEST,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "leave_type": django_filters.NumberFilter(field_name="leave_type_id"),
        "status": django_filters.ChoiceFilter(field_name="status", choices=Status.choices),
        "from": django_filters.DateFilter(field_name="end_date", lookup_expr="gte"),
        "to": django_filters.DateFilter(field_name="start_date", lookup_expr="lte"),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="updated_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "start_date", "updated_at"),
    links={"leave_type": LeaveType},
    create=_create,
    change=services.change_request,
    replace=False,
    versioned=True,
    conflicts=(services.ConflictError,),
    events=(
        "leave_request.created",
        "leave_request.updated",
        "leave_request.approved",
        "leave_request.rejected",
        "leave_request.cancelled",
    ),
    example=examples.LEAVE_REQUEST,
    create_example={
        "employee": 42,
        "leave_type": 3,
        "start_date": "2026-07-20",
        "end_date": "2026-07-31",
        "reason": "Summer holiday",
    },
    change_example=("Two days longer", {"end_date": "2026-08-04", "version": 1}),
    change_conflict_example="Only a request that waits for approval can be changed.",
    change_description="Only a pending request; it starts its approval again. Send the "
    "fields to change with the `version` you read (or If-Match).",
    descriptions={
        "create": "Needs scope timeoff:write. Refused (422, saying why) when it overlaps "
        "other leave, touches a locked month, falls outside the employment or goes beyond "
        "the balance. A type that needs no approval is approved at once.",
    },
    summaries={"create": "Request leave"},
    actions=(
        ItemAction(
            "approve",
            _approve,
            LeaveDecisionSerializer,
            APPROVE,
            "Approve a leave request",
            description="Needs timeoff:write (timeoff.approve over the employee). Nobody "
            "approves their own request (403). A type approved in two steps waits for HR "
            "after the manager (`stage` becomes hr).",
            example={"comment": "Enjoy!", "version": 1},
            result_example=APPROVED,
            conflict_example="This request is already approved.",
        ),
        ItemAction(
            "reject",
            _reject,
            LeaveDecisionSerializer,
            APPROVE,
            "Reject a leave request",
            description="Needs timeoff:write (timeoff.approve over the employee); nobody "
            "rejects their own request (403).",
            example={"comment": "We are short-staffed that week.", "version": 1},
            result_example={"status": "rejected", "stage": "", "version": 2},
            conflict_example="This request is already rejected.",
        ),
        ItemAction(
            "cancel",
            _cancel,
            LeaveCancelSerializer,
            REQUEST,
            "Cancel a leave request",
            description="Withdraws a pending request or cancels approved leave before it "
            "starts (HR also later); its hours return to the balance.",
            example={"reason": "Plans changed", "version": 1},
            result_example={"status": "cancelled", "stage": "", "version": 2},
            conflict_example="This request is already cancelled.",
        ),
    ),
    history=History(
        rows=_history,
        serializer=LeaveRequestStepSerializer,
        represent=_step,
        example=HISTORY_EXAMPLE,
        description="Every step, oldest first: who did what, when, with the old and new "
        "values (the reason's only where you may read it).",
    ),
    fields_example="id,employee,start_date,end_date,status",
)
