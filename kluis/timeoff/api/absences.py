"""`/api/v1/absences/`: sick periods (and other medical absences).

Everyone who may see who is away (scope timeoff:read, `timeoff.view_calendar`) sees every
absence of the company as who and when only: id, employee, start_date, end_date and its
version. Its `kind`, `reason`, `note` and timestamps appear only to a reader holding
`timeoff.view_sickness` over that employee (scope absence:read; an employee for their own)
and are absent, not null, for anyone else; opening a reason or note is audited (one
`employee.sensitive_viewed` event per request). Writes (register, extend, shorten, close)
need timeoff:write (`timeoff.register_sickness`); deleting one registered by mistake is
HR's (`timeoff.manage`)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration, History
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import pick, problem_example
from kluis.api.views import Sealed
from kluis.audit.services import MASK
from kluis.crypto import vault
from kluis.people import selectors as people_selectors
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, scoped
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.api import examples
from kluis.timeoff.api.reads import SEE_SICKNESS, reached
from kluis.timeoff.models import Absence, AbsenceKind, EntryVersion
from kluis.timeoff.services.absences import NOTE_PURPOSE, REASON_PURPOSE

REGISTER = "timeoff.register_sickness"
DETAILS = ("kind", "reason", "note", "created_at", "updated_at")
SEALED = ("reason", "note")


class AbsenceSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(
        required=False,
        help_text="Employee id; left out, the signed-in member's own (an app token)",
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="The last day; null while still absent"
    )
    version = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        choices=AbsenceKind.choices,
        required=False,
        help_text="Only with timeoff.view_sickness over the employee (absence:read)",
    )
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="Only with timeoff.view_sickness over the employee; reading it is audited",
    )
    note = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Only with timeoff.view_sickness over the employee; reading it is audited",
    )


class AbsenceChangeSerializer(StrictSerializer):
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(
        required=False, allow_null=True, help_text="A date closes, null reopens"
    )
    kind = serializers.ChoiceField(choices=AbsenceKind.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    version = serializers.IntegerField(
        required=False, help_text="The version you read (or If-Match); 412 when stale"
    )


class AbsenceStepSerializer(StrictSerializer):
    version = serializers.IntegerField()
    action = serializers.CharField(help_text="registered, changed, ...")
    changed_at = serializers.DateTimeField()
    actor = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    old_values = serializers.DictField(help_text='A reason or note only as "••••••"')
    new_values = serializers.DictField()
    comment = serializers.CharField(allow_blank=True)


SHOWN = tuple(AbsenceSerializer().fields)
COLUMNS = {
    "id": "id",
    "employee": "employee_id",
    "start_date": "start_date",
    "end_date": "end_date",
    "version": "version",
    "kind": "kind",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def open_reason(tenant_id: int, token: str | None) -> str:
    return vault.unseal(tenant_id, REASON_PURPOSE, token or None) or ""


def open_note(tenant_id: int, token: str | None) -> str:
    return vault.unseal(tenant_id, NOTE_PURPOSE, token or None) or ""


def _open(row: Absence) -> tuple[str, str]:
    return open_reason(row.tenant_id, row.reason_sealed), open_note(row.tenant_id, row.note_sealed)


def represent(row: Absence) -> dict[str, Any]:
    reason, note = _open(row)
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    return {name: data.get(name) for name in SHOWN} | {"reason": reason, "note": note}


def represent_rows(actor: Actor, rows: list[Any], only: set[str] | None) -> list[dict[str, Any]]:
    """Each absence as this reader may see it; the reading of reasons and notes audited
    once, naming the employees whose details were opened."""
    wanted = set(SHOWN) if only is None else only | {"id"}
    details = reached(actor, SEE_SICKNESS, {row.employee_id for row in rows})
    opens = bool(wanted & set(SEALED))
    result, opened = [], []
    for row in rows:
        data = {name: getattr(row, column) for name, column in COLUMNS.items()}
        if row.employee_id in details:
            if opens:
                data["reason"], data["note"] = _open(row)
                opened.append(row.employee_id)
        else:
            for name in DETAILS:
                data.pop(name, None)
        result.append(pick({n: data[n] for n in SHOWN if n in data}, wanted))
    _audit(actor, opened)
    return result


def _audit(actor: Actor, employee_ids: list[int]) -> None:
    if not employee_ids or actor.tenant is None:
        return
    unique = sorted(set(employee_ids))
    names = dict.fromkeys(unique, "")
    if len(unique) == 1:
        found = Employee.objects.for_tenant(actor.tenant).filter(pk=unique[0]).first()
        names[unique[0]] = found.display_name if found is not None else ""
    people_selectors.audit_opened(
        actor, actor.tenant, {"absence.reason", "absence.note"}, list(names.items())
    )


def _still_absent_on(rows: QuerySet[Absence], name: str, value: Any) -> QuerySet[Absence]:
    """`?from=`: absences not over before the day (open ones included)."""
    if value is None:
        return rows
    return rows.filter(Q(end_date__isnull=True) | Q(end_date__gte=value))


def _rows(actor: Actor) -> QuerySet[Absence]:
    return Absence.objects.for_actor(actor)


def _create(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Absence:
    pk = data.pop("employee", None) or actor_employee_id(actor)
    employee = scoped(actor, REGISTER, Employee.objects.all()).filter(pk=pk).first() if pk else None
    if employee is None:
        raise ValidationError({"employee": ["Choose one from the list."]})
    return services.register_absence(actor, employee, data)


def _remove(actor: Actor, row: Absence, *, precondition: Any) -> None:
    # If-Match against the version read, checked on the row the service locks.
    services.delete_absence(actor, row, precondition=precondition)


def _history(row: Absence) -> QuerySet[EntryVersion]:
    return EntryVersion.objects.for_tenant(row.tenant_id).filter(absence=row).order_by("pk")


def _step(actor: Actor, row: Absence, step: EntryVersion) -> dict[str, Any]:
    """A step as this reader may see it: its kind only with sickness details (a reason or
    note is never in the history, only masked)."""
    old, new = dict(step.old_values), dict(step.new_values)
    fields = list(step.changed_fields)
    if row.employee_id not in reached(actor, SEE_SICKNESS, [row.employee_id]):
        for hidden in (*SEALED, "kind"):
            old.pop(hidden, None)
            new.pop(hidden, None)
        fields = [name for name in fields if name not in (*SEALED, "kind")]
    for values in (old, new):
        for name in SEALED:
            if name in values:
                values[name] = MASK
    return {
        "version": step.version,
        "action": step.action,
        "changed_at": step.changed_at,
        "actor": step.actor_label,
        "changed_fields": fields,
        "old_values": old,
        "new_values": new,
        "comment": step.comment,
    }


ABSENCES = Declaration(
    prefix="absences",
    singular="absence",
    model=Absence,
    serializer=AbsenceSerializer,
    change_serializer=AbsenceChangeSerializer,
    columns=COLUMNS,
    represent=represent,
    represent_rows=represent_rows,
    revealed_by=dict.fromkeys(DETAILS, SEE_SICKNESS),
    # A page for a reader with sickness details company-wide is written by the database,
    # the reason and note opened and added (one audit event for the page).
    sealed={
        "reason": Sealed("reason_sealed", open_reason),
        "note": Sealed("note_sealed", open_note),
    },
    opening_columns=("employee_id",),
    audited=frozenset(SEALED),
    audit_read=lambda actor, rows: _audit(actor, [row.employee_id for row in rows]),
    rows=_rows,
    about=(
        "Sick periods. With scope timeoff:read: who is absent and when, never why; "
        "`kind`, `reason` and `note` need absence:read (reading them is audited). Writes "
        "need timeoff:write."
    ),
    read="timeoff.view_calendar",
    write=REGISTER,
    filters={
        "employee": django_filters.NumberFilter(field_name="employee_id"),
        "from": django_filters.DateFilter(field_name="end_date", method=_still_absent_on),
        "to": django_filters.DateFilter(field_name="start_date", lookup_expr="lte"),
    },
    orderings=("id", "start_date"),
    create=_create,
    change=services.update_absence,
    remove=_remove,
    replace=False,
    versioned=True,
    conflicts=(services.ConflictError,),
    events=("absence.started", "absence.updated", "absence.ended", "absence.deleted"),
    example={**examples.ABSENCE, "reason": "Flu", "note": ""},
    create_example={"employee": 42, "start_date": "2026-11-03", "reason": "Flu"},
    change_example=("Close it", {"end_date": "2026-11-06", "version": 1}),
    change_description="Extend, shorten, close (an `end_date`) or reopen (null) a sick "
    "period; `kind`, `reason` and `note` only with absence:read.",
    delete_description="HR only (timeoff.manage): an absence registered by mistake; the "
    "leave days it gave back are taken again.",
    examples={
        "destroy": (
            problem_example(
                "Changed since you read it",
                412,
                "The object changed since you read it; read it again.",
                "/api/v1/absences/57/",
            ),
        )
    },
    history=History(
        rows=_history,
        serializer=AbsenceStepSerializer,
        represent=_step,
        example={
            "version": 2,
            "action": "changed",
            "changed_at": "2026-11-06T08:00:00Z",
            "actor": "hr@demo-bv.test",
            "changed_fields": ["end_date"],
            "old_values": {"end_date": None},
            "new_values": {"end_date": "2026-11-06"},
            "comment": "",
        },
    ),
    fields_example="id,employee,start_date,end_date",
)
