"""Shared by the benchmarks: a year of leave for a seeded company (bench/_seed.py), written
in bulk but shaped as the services write it: requests with their days (from each
employee's schedule, weekends and public holidays skipped), the ledger's grant and use
lines, some requests pending, cancelled or rejected, and sick periods.

Not a benchmark itself: `make bench` skips bench/_*.py.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any


def seed_leave(tenant: Any, *, year: int | None = None, seed: int = 20261206) -> dict[str, int]:
    """About 15 days of approved leave per employee in `year` (this year by default), a
    future request pending for one in five, and a sick period for one in ten; returns
    counts of what was written."""
    from django.db import transaction
    from django.utils import timezone

    from kluis.people.models import Employee
    from kluis.timeoff import calendar
    from kluis.timeoff.law.schedule import hours_between
    from kluis.timeoff.models import (
        Absence,
        LeaveDay,
        LeaveRequest,
        LeaveType,
        LedgerEntry,
    )

    rng = random.Random(seed)  # noqa: S311  (benchmark data, repeatable)
    today = timezone.localdate()
    year = year or today.year
    holiday = LeaveType.objects.for_tenant(tenant).get(code="legal-holiday")
    remote = LeaveType.objects.for_tenant(tenant).get(code="remote")
    employees = list(Employee.objects.for_tenant(tenant).values_list("pk", flat=True))
    periods = calendar.work_periods(tenant.pk, employees)
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    off = calendar.days_off(tenant.pk, first, last + dt.timedelta(days=60))
    counts = {"requests": 0, "days": 0, "ledger": 0, "absences": 0}
    batch: list[tuple[LeaveRequest, dict[dt.date, Decimal]]] = []
    ledger: list[LedgerEntry] = []
    absences: list[Absence] = []

    def flush() -> None:
        with transaction.atomic():
            made = LeaveRequest.objects.bulk_create([request for request, _days in batch])
            days = [
                LeaveDay(
                    tenant_id=tenant.pk,
                    request=request,
                    employee_id=request.employee_id,
                    date=day,
                    hours=hours,
                    active=request.status in ("pending", "approved"),
                )
                for request, (_r, hours_by_day) in zip(made, batch, strict=True)
                for day, hours in hours_by_day.items()
            ]
            LeaveDay.objects.bulk_create(days, batch_size=2000)
            uses = [
                LedgerEntry(
                    tenant_id=tenant.pk,
                    employee_id=request.employee_id,
                    leave_type_id=request.leave_type_id,
                    kind="use",
                    hours=-request.hours,
                    effective=request.start_date,
                    year=request.start_date.year,
                    request=request,
                    actor_label="bench",
                )
                for request in made
                if request.status == "approved" and request.leave_type_id == holiday.pk
            ]
            LedgerEntry.objects.bulk_create(ledger + uses, batch_size=2000)
            Absence.objects.bulk_create(absences, batch_size=2000)
        counts["requests"] += len(made)
        counts["days"] += len(days)
        counts["ledger"] += len(ledger) + len(uses)
        counts["absences"] += len(absences)
        batch.clear()
        ledger.clear()
        absences.clear()

    def request(employee_id: int, kind: Any, start: dt.date, length: int, status: str) -> None:
        end = start + dt.timedelta(days=length - 1)
        hours = hours_between(start, end, periods[employee_id], off)
        if not hours:
            return
        batch.append(
            (
                LeaveRequest(
                    tenant_id=tenant.pk,
                    employee_id=employee_id,
                    leave_type=kind,
                    start_date=start,
                    end_date=end,
                    hours=sum(hours.values(), Decimal(0)),
                    status=status,
                    stage="manager" if status == "pending" else "",
                    requested_by="bench",
                    decided_by="" if status == "pending" else "bench",
                ),
                hours,
            )
        )

    for employee_id in employees:
        ledger.append(
            LedgerEntry(
                tenant_id=tenant.pk,
                employee_id=employee_id,
                leave_type=holiday,
                kind="grant",
                hours=Decimal("152.00"),
                effective=first,
                year=year,
                tranche=str(year),
                expires_on=dt.date(year + 1, 1, 1),
                actor_label="bench",
            )
        )
        # A summer fortnight, a week around the spring holidays, a few single days.
        summer = dt.date(year, 7, 1) + dt.timedelta(days=rng.randint(0, 45))
        request(employee_id, holiday, summer, 14, "approved")
        spring = dt.date(year, 4, 1) + dt.timedelta(days=rng.randint(0, 20))
        request(employee_id, holiday, spring, 5, "approved")
        for _ in range(3):
            day = first + dt.timedelta(days=rng.randint(0, 330))
            if not (summer <= day <= summer + dt.timedelta(days=14)) and not (
                spring <= day <= spring + dt.timedelta(days=5)
            ):
                request(employee_id, remote, day, 1, "approved")
        if rng.random() < 0.2:
            ahead = today + dt.timedelta(days=rng.randint(20, 50))
            request(employee_id, holiday, ahead, rng.randint(1, 5), "pending")
        if rng.random() < 0.1:
            start = first + dt.timedelta(days=rng.randint(0, 300))
            absences.append(
                Absence(
                    tenant_id=tenant.pk,
                    employee_id=employee_id,
                    start_date=start,
                    end_date=start + dt.timedelta(days=rng.randint(1, 10)),
                    registered_by="bench",
                )
            )
        if len(batch) >= 4000:
            flush()
    flush()
    return counts
