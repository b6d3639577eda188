"""Helpers for the balance tests: people with the contracts a worked example names, and
their ledger read back per leave type."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from django.db.models import Sum

from kluis.people.models import Employee, Employment
from kluis.tenancy.models import Tenant
from kluis.timeoff.models import LeaveType, LedgerEntry

_numbers = itertools.count(1)
D = dt.date
FOUR_FIFTHS = ["7.6", "7.6", "7.6", "7.6", "0", "0", "0"]  # 30.4 h, Friday free
FOUR_DAYS_32 = ["8", "8", "8", "8", "0", "0", "0"]

Contract = tuple[dt.date, dt.date | None, str, list[str] | None]


def person(tenant: Tenant, *contracts: Contract) -> Employee:
    """An employee (no login) with the given contracts (start, end, hours a week,
    schedule)."""
    number = next(_numbers)
    employee = Employee.objects.create(
        tenant=tenant,
        employee_number=f"BAL{number:05d}",
        first_name="Example",
        last_name=f"Person {number}",
    )
    for start, end, hours, schedule in contracts:
        Employment.objects.create(
            tenant=tenant,
            employee=employee,
            contract_type="permanent",
            start_date=start,
            end_date=end,
            hours_per_week=Decimal(hours),
            weekly_schedule=schedule or [],
            job_title="Example",
        )
    return employee


def leave_type(tenant: Tenant, code: str) -> LeaveType:
    return LeaveType.objects.for_tenant(tenant).get(code=code)


def lines(employee: Employee, leave: LeaveType) -> list[tuple[str, Decimal, str]]:
    """(kind, hours, tranche) of each line, oldest first."""
    return list(
        LedgerEntry.objects.filter(employee=employee, leave_type=leave)
        .order_by("effective", "pk")
        .values_list("kind", "hours", "tranche")
    )


def total(employee: Employee, leave: LeaveType) -> Decimal:
    found = LedgerEntry.objects.filter(employee=employee, leave_type=leave).aggregate(
        total=Sum("hours")
    )["total"]
    return found or Decimal("0.00")


def statutory_grant(
    tenant: Tenant, employee: Employee, year: int, hours: str = "152"
) -> LedgerEntry:
    """A Dutch statutory grant of `year` (its tranche expires 1 July of the next year)."""
    return LedgerEntry.objects.create(
        tenant=tenant,
        employee=employee,
        leave_type=LeaveType.objects.for_tenant(tenant).get(rule="nl_statutory"),
        kind="grant",
        hours=Decimal(hours),
        effective=dt.date(year, 1, 1),
        year=year,
        tranche=f"{year}-statutory",
        expires_on=dt.date(year + 1, 7, 1),
        actor_label="test",
    )
