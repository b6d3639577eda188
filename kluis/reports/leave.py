"""Leave taken against entitlement: one year of one leave type, per department, from the
balance ledger (kluis.timeoff: every grant, use, give-back, correction and expiry is a
line; a balance is their sum).

Per person and line kind the ledger's hours are summed by the database (one query), then
shown in the type's unit: hours, or days of each person's own schedule (the hours of their
working day, as their balance page shows them)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db.models import F, IntegerField, Q, Sum
from django.db.models.functions import Round
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.reports import charts
from kluis.reports.contracts import Contract, contracts_of, department_names
from kluis.reports.filters import Filters
from kluis.reports.scope import employees, rows_of
from kluis.reports.tables import Column, Group, Result, Row, Table, Value, percent
from kluis.timeoff.law.ledger import Kind
from kluis.timeoff.law.schedule import WorkPeriod, hours_per_day
from kluis.timeoff.models import LeaveType, LedgerEntry, Unit

VIEW = "timeoff.view"
CENT = Decimal("0.01")
ZERO = Decimal("0")
# The ledger's line kinds each sum adds up.
SLOTS: dict[str, tuple[str, ...]] = {
    "entitled": (Kind.GRANT, Kind.ACCRUAL, Kind.CARRY_OVER, Kind.CORRECTION),
    "taken": (Kind.USE, Kind.SICK_RETURN, Kind.CANCELLATION),
    "expired": (Kind.EXPIRY,),
}


def leave_types(actor: Actor) -> list[LeaveType]:
    """The leave types with a balance (the others keep no ledger)."""
    return [t for t in LeaveType.objects.for_actor(actor) if t.counts_balance]


def _per_day(actor: Actor, year: int) -> dict[int, Decimal]:
    """Each person's hours of a working day, from the contract in force at the end of the
    year (or today, within this year), else their last contract."""
    day = min(dt.date(year, 12, 31), max(timezone.localdate(), dt.date(year, 1, 1)))
    chosen: dict[int, Contract] = {}
    for contract in contracts_of(actor, VIEW, schedules=True):  # by person, oldest first
        current = chosen.get(contract.employee_id)
        if current is None or not current.covers(day):
            chosen[contract.employee_id] = contract
    return {
        employee_id: _hours_per_day(c.hours_per_week or ZERO, c.weekly_schedule)
        for employee_id, c in chosen.items()
    }


@lru_cache(maxsize=1024)
def _hours_per_day(hours: Decimal, schedule: tuple[Any, ...]) -> Decimal:
    return hours_per_day(WorkPeriod.from_contract(dt.date.min, None, hours, schedule))


def leave(actor: Actor, f: Filters) -> Result:
    types = {t.pk: t for t in leave_types(actor)}
    leave_type = types.get(f.leave_type or 0)
    if leave_type is None and types:
        leave_type = next(iter(types.values()))
    # person -> [entitled, taken, expired], in hours
    sums: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    if leave_type is not None:
        # Summed by the database per person in hundredths of an hour (whole numbers):
        # SQLite sums decimals as floats, and turning each back into a Decimal is slow.
        cents = Round(F("hours") * 100)
        lines = (
            rows_of(actor, VIEW, LedgerEntry.objects.all())
            .filter(year=f.year, leave_type_id=leave_type.pk)
            .order_by()
            .values("employee_id")
            .annotate(
                **{
                    name: Sum(cents, filter=Q(kind__in=kinds), output_field=IntegerField())
                    for name, kinds in SLOTS.items()
                }
            )
            .values_list("employee_id", *SLOTS)
        )
        for employee_id, *hundredths in lines:
            sums[employee_id] = [Decimal(int(h or 0)) / 100 for h in hundredths]
    in_days = leave_type is not None and leave_type.unit == Unit.DAYS
    per_day = _per_day(actor, f.year) if in_days else {}
    department_of = dict(employees(actor, VIEW).values_list("pk", "department_id"))
    names = department_names(actor)
    # department -> [people, entitled, taken, expired]
    totals: dict[int | None, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO, ZERO])
    for employee_id, (entitled, taken, expired) in sums.items():
        if employee_id not in department_of:
            continue
        department = department_of[employee_id]
        if f.department is not None and department != f.department:
            continue
        divisor = Decimal(1)
        if in_days:
            divisor = per_day.get(employee_id, ZERO)
            if not divisor:
                continue  # no working day to count days in
        row = totals[department]
        row[0] += 1
        row[1] += entitled / divisor
        row[2] -= taken / divisor  # uses are negative, give-backs positive
        row[3] -= expired / divisor
    ordered = sorted(totals, key=lambda pk: (pk is None, names.get(pk, "")))
    rows = [Row(names.get(pk, ""), _values(totals[pk])) for pk in ordered]
    everyone = [sum((totals[pk][i] for pk in totals), ZERO) for i in range(4)]
    rows.append(Row(_("All"), _values(everyone), total=True, key="total"))
    unit = _("days") if in_days else _("hours")
    type_name = leave_type.name if leave_type is not None else _("No leave type")
    table = Table(
        caption=_("%(type)s in %(year)s: taken and entitlement per department (in %(unit)s)")
        % {"type": type_name, "year": f.year, "unit": unit},
        row_key="department",
        row_label=_("Department"),
        columns=[
            Column("people", _("People")),
            Column("entitlement", _("Entitlement"), 2),
            Column("taken", _("Taken"), 2),
            Column("expired", _("Expired"), 2),
            Column("remaining", _("Remaining"), 2),
            Column("taken_pct", _("Taken (%)"), 1),
        ],
        groups=[Group(type_name, rows)],
        group_key="leave_type",
        group_label=_("Leave type"),
    )
    labels = [names.get(pk, "") for pk in ordered]
    taken_bars = [float(totals[pk][2].quantize(CENT)) for pk in ordered]
    left_bars = [float(max(_remaining(totals[pk]), ZERO).quantize(CENT)) for pk in ordered]
    chart = charts.bar_chart(
        "chart-leave",
        _("%(type)s in %(year)s: taken and remaining per department")
        % {"type": type_name, "year": f.year},
        _("In %(unit)s: %(taken)s taken of an entitlement of %(entitled)s.")
        % {
            "unit": unit,
            "taken": everyone[2].quantize(CENT),
            "entitled": everyone[1].quantize(CENT),
        },
        labels,
        [charts.Series(_("Taken"), taken_bars), charts.Series(_("Remaining"), left_bars)],
        stacked=True,
    )
    notes = [
        _(
            "From the balance ledger, the lines of %(year)s: entitlement = grants, accruals, "
            "carry-over and corrections; taken = leave used less what was given back "
            "(cancelled, or sick during leave); remaining = entitlement - taken - expired."
        )
        % {"year": f.year},
        _(
            "Days are each person's hours divided by the hours of their working day; a "
            "person counts in their current department."
        ),
    ]
    return Result(table, chart, notes)


def _remaining(row: list[Decimal]) -> Decimal:
    return row[1] - row[2] - row[3]


def _values(row: list[Decimal]) -> list[Value]:
    return [
        int(row[0]),
        row[1].quantize(CENT),
        row[2].quantize(CENT),
        row[3].quantize(CENT),
        _remaining(row).quantize(CENT),
        percent(row[2], row[1]),
    ]
