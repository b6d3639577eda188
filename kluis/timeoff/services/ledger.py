"""Writing the balance ledger: leave taken when a request is approved, given back when it
is cancelled or a sick day falls in it. Lines are never changed or deleted; a change is
another line. Called inside the services' transactions (requests, approvals, absences)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q, Sum

from kluis.access.actor import Actor
from kluis.timeoff.models import (
    Absence,
    AbsenceKind,
    EntryKind,
    LeaveDay,
    LeaveRequest,
    LedgerEntry,
    Status,
)

ZERO = Decimal("0")


def remaining(tenant_id: int, employee_id: int, leave_type_id: int) -> Decimal:
    """Everything credited minus everything debited: what is left once the approved leave
    is taken."""
    total = (
        LedgerEntry.objects.for_tenant(tenant_id)
        .filter(employee_id=employee_id, leave_type_id=leave_type_id)
        .aggregate(total=Sum("hours"))["total"]
    )
    return total or ZERO


def pending(
    tenant_id: int, employee_id: int, leave_type_id: int, *, besides: int | None = None
) -> Decimal:
    """The hours of requests still waiting for approval (not yet in the ledger)."""
    rows = LeaveRequest.objects.for_tenant(tenant_id).filter(
        employee_id=employee_id, leave_type_id=leave_type_id, status=Status.PENDING
    )
    if besides is not None:
        rows = rows.exclude(pk=besides)
    return rows.aggregate(total=Sum("hours"))["total"] or ZERO


def _per_year(request: LeaveRequest) -> dict[int, tuple[Decimal, dt.date]]:
    years: dict[int, tuple[Decimal, dt.date]] = {}
    for day, hours in request.days.order_by("date").values_list("date", "hours"):
        total, first = years.get(day.year, (ZERO, day))
        years[day.year] = (total + hours, first)
    return years


def record_use(actor: Actor, request: LeaveRequest) -> None:
    """The approved request's hours leave the balance, one line per year it touches."""
    if not request.leave_type.counts_balance:
        return
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            tenant_id=request.tenant_id,
            employee_id=request.employee_id,
            leave_type_id=request.leave_type_id,
            kind=EntryKind.USE,
            hours=-hours,
            effective=first,
            year=year,
            request=request,
            actor_label=actor.label[:254],
        )
        for year, (hours, first) in sorted(_per_year(request).items())
        if hours
    )


def record_cancellation(actor: Actor, request: LeaveRequest, note: str = "") -> None:
    """Everything the request took (less what sickness gave back) returns, per year."""
    net: dict[int, Decimal] = defaultdict(lambda: ZERO)
    first: dict[int, dt.date] = {}
    rows = LedgerEntry.objects.for_tenant(request.tenant_id).filter(request=request)
    for year, hours, effective in rows.values_list("year", "hours", "effective"):
        net[year] += hours
        first.setdefault(year, effective)
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            tenant_id=request.tenant_id,
            employee_id=request.employee_id,
            leave_type_id=request.leave_type_id,
            kind=EntryKind.CANCELLATION,
            hours=-hours,
            effective=first[year],
            year=year,
            request=request,
            note=note[:300],
            actor_label=actor.label[:254],
        )
        for year, hours in sorted(net.items())
        if hours
    )


def settle_sick_returns(actor: Actor, tenant_id: int, employee_id: int) -> int:
    """A sick day during approved leave is not a leave day (both countries): give back each
    such day's hours, and take back what was given for a day no longer covered (a sick
    period shortened or removed). How many lines were written."""
    sick = list(
        Absence.objects.for_tenant(tenant_id)
        .filter(employee_id=employee_id, kind=AbsenceKind.SICKNESS)
        .values_list("start_date", "end_date")
    )
    covered: Q | None = None
    for start, end in sick:
        window = Q(date__gte=start) if end is None else Q(date__gte=start, date__lte=end)
        covered = window if covered is None else covered | window
    days = LeaveDay.objects.for_tenant(tenant_id).filter(
        employee_id=employee_id,
        active=True,
        request__status=Status.APPROVED,
        request__leave_type__rule__in=["fixed", "be_legal", "nl_statutory"],
    )
    target: dict[tuple[int, dt.date], tuple[Decimal, int]] = {}
    if covered is not None:
        for request_id, day, hours, type_id in days.filter(covered).values_list(
            "request_id", "date", "hours", "request__leave_type_id"
        ):
            target[(request_id, day)] = (hours, type_id)
    given: dict[tuple[int, dt.date], tuple[Decimal, int]] = {}
    for request_id, returned_day, hours, type_id in (
        LedgerEntry.objects.for_tenant(tenant_id)
        # A cancelled request's returns were settled with its cancellation.
        .filter(
            employee_id=employee_id, kind=EntryKind.SICK_RETURN, request__status=Status.APPROVED
        )
        .values_list("request_id", "day", "hours", "leave_type_id")
    ):
        if returned_day is None:
            continue
        so_far, _ = given.get((request_id, returned_day), (ZERO, type_id))
        given[(request_id, returned_day)] = (so_far + hours, type_id)
    lines = []
    for key in set(target) | set(given):
        want, type_id = target.get(key, (ZERO, given.get(key, (ZERO, 0))[1]))
        have = given.get(key, (ZERO, type_id))[0]
        if want == have:
            continue
        request_id, day = key
        lines.append(
            LedgerEntry(
                tenant_id=tenant_id,
                employee_id=employee_id,
                leave_type_id=type_id,
                kind=EntryKind.SICK_RETURN,
                hours=want - have,
                effective=day,
                year=day.year,
                request_id=request_id,
                day=day,
                actor_label=actor.label[:254],
            )
        )
    LedgerEntry.objects.bulk_create(lines)
    return len(lines)
