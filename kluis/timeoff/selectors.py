"""Reads of the calendar that are more than a one-liner, always scoped to the reader:
balances (from the ledger, kluis/timeoff/law/ledger.py), the leave and absences a reader
may see, and who is away."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.people.permissions import can_on
from kluis.timeoff import calendar
from kluis.timeoff.law import ledger as law
from kluis.timeoff.law.schedule import WorkPeriod, hours_per_day, period_on
from kluis.timeoff.models import LeaveRequest, LeaveType, LedgerEntry, Status, TimeoffSettings, Unit

ZERO = Decimal("0")
VIEW = "timeoff.view"


@dataclass(frozen=True)
class BalanceRow:
    """One leave type's balance of one employee, in hours, and the hours of one of their
    days (to show days where the type counts days)."""

    leave_type: LeaveType
    balance: law.Balance
    pending: Decimal  # hours requested, not yet approved
    hours_per_day: Decimal

    @property
    def in_days(self) -> bool:
        return self.leave_type.unit == Unit.DAYS

    def shown(self, hours: Decimal) -> Decimal:
        """Hours as the type counts them (days of this employee's schedule, or hours)."""
        if self.in_days and self.hours_per_day:
            return (hours / self.hours_per_day).quantize(Decimal("0.01"))
        return hours


def entry_of(row: LedgerEntry, uses: dict[tuple[int | None, int], int]) -> law.Entry:
    """A ledger row as the law module's entry: a give-back names the use it reverses."""
    reverses = None
    if row.kind in (law.Kind.SICK_RETURN, law.Kind.CANCELLATION):
        reverses = uses.get((row.request_id, row.year))
    return law.Entry(
        kind=law.Kind(row.kind),
        hours=row.hours,
        effective=row.effective,
        tranche=row.tranche,
        expires_on=row.expires_on,
        id=row.pk,
        note=row.note,
        reverses=reverses,
    )


def entries_of(rows: list[LedgerEntry]) -> list[law.Entry]:
    uses = {(r.request_id, r.year): r.pk for r in rows if r.kind == law.Kind.USE}
    return [entry_of(row, uses) for row in rows]


PLANNED_KINDS = (law.Kind.USE, law.Kind.SICK_RETURN, law.Kind.CANCELLATION)


def as_of_entries(entries: list[law.Entry], as_of: dt.date) -> list[law.Entry]:
    """What a balance as of `as_of` is made of: the entries effective by then, and the
    leave planned after it (uses and their give-backs). A credit, correction or expiry
    dated later (next year's grant written ahead, a correction of a later date) has not
    happened yet."""
    return [e for e in entries if e.effective <= as_of or e.kind in PLANNED_KINDS]


def _per_day(employee: Employee, on: dt.date, periods: list[WorkPeriod] | None = None) -> Decimal:
    if periods is None:
        periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
    period = period_on(on, periods) or (periods[-1] if periods else None)
    return hours_per_day(period) if period is not None else Decimal("8")


def balances_of(
    actor: Actor,
    employee: Employee,
    *,
    as_of: dt.date | None = None,
    periods: list[WorkPeriod] | None = None,
) -> list[BalanceRow]:
    """Each counted leave type's balance of `employee` as of a day (today by default).
    `periods`: the employee's work periods when the caller has them already."""
    if not can_on(actor, VIEW, employee):
        raise PermissionDenied(_("You do not have permission to do this."))
    as_of = as_of or dt.date.today()
    config = TimeoffSettings.objects.for_tenant(employee.tenant_id).first()
    warn = config.warn_days_before_expiry if config else 90
    types = [t for t in LeaveType.objects.for_tenant(employee.tenant_id) if t.counts_balance]
    rows_by_type: dict[int, list[LedgerEntry]] = {t.pk: [] for t in types}
    for row in LedgerEntry.objects.for_tenant(employee.tenant_id).filter(employee_id=employee.pk):
        rows_by_type.setdefault(row.leave_type_id, []).append(row)
    pending: dict[int, Decimal] = {}
    for type_id, hours in (
        LeaveRequest.objects.for_tenant(employee.tenant_id)
        .filter(employee_id=employee.pk, status=Status.PENDING)
        .order_by()  # unordered: read through (tenant, employee, status), not every pending
        .values_list("leave_type_id", "hours")
    ):
        pending[type_id] = pending.get(type_id, ZERO) + hours
    per_day = _per_day(employee, as_of, periods)
    return [
        BalanceRow(
            leave_type=leave_type,
            balance=law.balance(
                as_of_entries(entries_of(rows_by_type[leave_type.pk]), as_of),
                as_of,
                warn_days=warn,
            ),
            pending=pending.get(leave_type.pk, ZERO),
            hours_per_day=per_day,
        )
        for leave_type in types
        if leave_type.is_active or rows_by_type[leave_type.pk]
    ]


def ledger_lines(
    actor: Actor, employee: Employee, leave_type: LeaveType, *, as_of: dt.date | None = None
) -> list[tuple[LedgerEntry, Decimal]]:
    """Every line of one balance up to a day, oldest first, with the running total: the
    balance explained line by line."""
    if not can_on(actor, VIEW, employee) or leave_type.tenant_id != employee.tenant_id:
        raise PermissionDenied(_("You do not have permission to do this."))
    as_of = as_of or dt.date.today()
    rows = list(
        LedgerEntry.objects.for_tenant(employee.tenant_id).filter(
            employee_id=employee.pk, leave_type_id=leave_type.pk
        )
    )
    by_id = {row.pk: row for row in rows}
    return [
        (by_id[entry.id], total)
        for entry, total in law.explain(entries_of(rows), as_of)
        if entry.id in by_id
    ]
