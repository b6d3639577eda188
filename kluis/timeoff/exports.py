"""The payroll export: a period's leave and absence per employee, as CSV or XLSX.

One row per employee per leave type (approved leave only: the hours its days take, and
those hours as days of the employee's own schedule) and per absence kind (the working days
and hours a sick period covers inside the period, public holidays and closing days left
out). Sickness details never appear: no reason, no note, and the absence's kind only for
an exporter who sees sickness details for the whole company (otherwise every absence is
one "Absence" row). Each export is an audit event naming who exported which period.

The rows are summed in one pass over the period's leave days and absences (a month of a
large company is a few tens of thousands of leave days; the sums are one row per employee
and type), then written: the CSV is streamed, the XLSX written by xlsxwriter in
constant-memory mode to a temporary file, with the cell rules of the people export (no
formula, link or number read from text; CSV cells made safe by kluis.audit.exports).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.permissions import Scope
from kluis.audit.services import record
from kluis.operations import spreadsheets
from kluis.operations.spreadsheets import safe_cell
from kluis.people.models import Employee
from kluis.people.permissions import scope_of
from kluis.tenancy.models import Tenant
from kluis.timeoff import calendar
from kluis.timeoff.law.schedule import hours_between, hours_per_day, period_on
from kluis.timeoff.models import Absence, AbsenceKind, LeaveDay, LeaveType, Status

MANAGE = "timeoff.manage"
LONGEST = 366  # days one export spans at most
ZERO = Decimal("0")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Column:
    """One column: its header (stable, for payroll scripts), label and kind."""

    name: str
    label: Any
    kind: str = "text"


COLUMNS = [
    Column("employee_number", gettext_lazy("Employee number")),
    Column("name", gettext_lazy("Name")),
    Column("department", gettext_lazy("Department")),
    Column("category", gettext_lazy("Category")),
    Column("type", gettext_lazy("Type")),
    Column("code", gettext_lazy("Code")),
    Column("days", gettext_lazy("Days"), "number"),
    Column("hours", gettext_lazy("Hours"), "number"),
    Column("sick_days", gettext_lazy("Sick days"), "number"),
]


def check_period(first: Any, last: Any) -> tuple[dt.date, dt.date]:
    errors: dict[str, list[str]] = {}
    if not isinstance(first, dt.date):
        errors["from"] = [_("Enter a valid date.")]
    if not isinstance(last, dt.date):
        errors["to"] = [_("Enter a valid date.")]
    if not errors and last < first:
        errors["to"] = [_("The last day cannot be before the first day.")]
    elif not errors and (last - first).days >= LONGEST:
        errors["to"] = [_("An export spans at most a year.")]
    if errors:
        raise ValidationError(errors)
    return first, last


def kinds_shown(actor: Actor) -> bool:
    """An absence's kind is a sickness detail: shown only to who sees those company-wide."""
    return scope_of(actor, "timeoff.view_sickness") == Scope.COMPANY


Key = tuple[int, str, str]  # (employee, "leave" | "absence", type key)


def _totals(
    tenant: Tenant, first: dt.date, last: dt.date, *, with_kinds: bool
) -> dict[Key, list[Decimal]]:
    """{(employee, category, type key): [days, hours, sick days]}."""
    totals: dict[Key, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    days = (
        LeaveDay.objects.for_tenant(tenant)
        .filter(date__gte=first, date__lte=last, active=True, request__status=Status.APPROVED)
        .values_list("employee_id", "request__leave_type_id", "date", "hours")
        .order_by()
    )
    leave_rows = list(days.iterator(chunk_size=2000))
    absences = list(
        Absence.objects.for_tenant(tenant)
        .filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("employee_id", "kind", "start_date", "end_date")
        .order_by()
    )
    employee_ids = sorted({row[0] for row in leave_rows} | {row[0] for row in absences})
    periods = calendar.work_periods(tenant, employee_ids)
    for employee_id, type_id, day, hours in leave_rows:
        period = period_on(day, periods.get(employee_id, []))
        per_day = hours_per_day(period) if period is not None else ZERO
        row = totals[(employee_id, "leave", str(type_id))]
        row[0] += hours / per_day if per_day else ZERO
        row[1] += hours
    off = calendar.days_off(tenant, first, last)
    for employee_id, kind, start, end in absences:
        covered = hours_between(
            max(start, first), min(end or last, last), periods.get(employee_id, []), off
        )
        if not covered:
            continue
        row = totals[(employee_id, "absence", kind if with_kinds else "absence")]
        count = Decimal(len(covered))
        row[0] += count
        row[1] += sum(covered.values(), ZERO)
        if not with_kinds or kind == AbsenceKind.SICKNESS:
            row[2] += count
    return totals


def rows(actor: Actor, tenant: Tenant, first: dt.date, last: dt.date) -> list[dict[str, Any]]:
    """The export's rows for HR (timeoff.manage), ordered by employee number."""
    authorize(actor, MANAGE)
    if actor.tenant is None or actor.tenant.pk != tenant.pk:
        raise PermissionDenied(_("Not a member of this company."))
    first, last = check_period(first, last)
    with_kinds = kinds_shown(actor)
    totals = _totals(tenant, first, last, with_kinds=with_kinds)
    types = {str(t.pk): t for t in LeaveType.objects.for_tenant(tenant)}
    people = _people(tenant, {key[0] for key in totals})
    out: list[dict[str, Any]] = []
    for (employee_id, category, type_key), (days, hours, sick) in totals.items():
        person = people.get(employee_id)
        if person is None:
            continue
        if category == "leave":
            leave_type = types[type_key]
            type_name, code = leave_type.name, leave_type.code
            position = leave_type.position
        elif with_kinds:
            type_name, code, position = str(AbsenceKind(type_key).label), type_key, 100000
        else:
            type_name, code, position = _("Absence"), "absence", 100000
        out.append(
            {
                "employee_number": person["employee_number"],
                "name": person["name"],
                "department": person["department"],
                "category": _("Leave") if category == "leave" else _("Absence"),
                "type": type_name,
                "code": code,
                "days": days.quantize(CENT),
                "hours": hours.quantize(CENT),
                "sick_days": sick.quantize(CENT) if category == "absence" else "",
                "_order": (person["employee_number"], position, type_name),
            }
        )
    out.sort(key=lambda row: row["_order"])
    for row in out:
        del row["_order"]
    return out


def _people(tenant: Tenant, ids: set[int]) -> dict[int, dict[str, str]]:
    found = (
        Employee.objects.for_tenant(tenant)
        .filter(pk__in=ids)
        .values_list(
            "pk", "employee_number", "first_name", "preferred_name", "last_name", "department__name"
        )
    )
    return {
        pk: {
            "employee_number": number,
            "name": f"{preferred or first} {last}".strip(),
            "department": department or "",
        }
        for pk, number, first, preferred, last, department in found
    }


def record_export(
    actor: Actor, tenant: Tenant, first: dt.date, last: dt.date, *, export_format: str, count: int
) -> None:
    """Every export is an audit event: who, which period, which format, how many rows."""
    with transaction.atomic():
        record(
            actor,
            "timeoff.exported",
            tenant=tenant,
            object_type="timeoff.leaverequest",
            object_repr="time off export",
            changes={
                "format": export_format,
                "from": first.isoformat(),
                "to": last.isoformat(),
                "absence_kinds": kinds_shown(actor),
                "rows": count,
            },
        )


def filename(tenant: Tenant, first: dt.date, last: dt.date, extension: str) -> str:
    return f"kluis-time-off-{tenant.slug}-{first.isoformat()}-{last.isoformat()}.{extension}"


def csv_lines(data: list[dict[str, Any]]) -> Iterator[str]:
    """A byte-order mark (so spreadsheets read UTF-8), the header, then one line a row."""
    return spreadsheets.csv_lines(
        [c.name for c in COLUMNS], ([safe_cell(row[c.name]) for c in COLUMNS] for row in data)
    )


def csv_response(
    tenant: Tenant, data: list[dict[str, Any]], first: dt.date, last: dt.date
) -> StreamingHttpResponse:
    return spreadsheets.csv_response(csv_lines(data), filename(tenant, first, last, "csv"))


def write_sheet(target: Any, data: list[dict[str, Any]]) -> None:
    """One sheet, bold header, text always as text (never a formula or a link)."""
    workbook = spreadsheets.workbook(target)
    sheet = workbook.add_worksheet(str(_("Time off")))
    for index, column in enumerate(COLUMNS):
        sheet.set_column(index, index, 10 if column.kind == "number" else 20)
    spreadsheets.header_row(workbook, sheet, [c.name for c in COLUMNS])
    for row_number, row in enumerate(data, start=1):
        for index, column in enumerate(COLUMNS):
            value = row[column.name]
            if value == "":
                continue
            if isinstance(value, Decimal):
                sheet.write_number(row_number, index, float(value))
            else:
                sheet.write_string(row_number, index, str(value))
    workbook.close()


def xlsx_response(
    tenant: Tenant, data: list[dict[str, Any]], first: dt.date, last: dt.date
) -> FileResponse:
    return spreadsheets.xlsx_response(
        lambda handle: write_sheet(handle, data), filename(tenant, first, last, "xlsx")
    )
