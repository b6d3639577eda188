"""Time off fixtures: the demo companies' people as actors, their employee records, and
dates that are working days for them (the demo logins work Monday to Friday, 7.6 h)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import calendar
from kluis.timeoff.models import LeaveType, LedgerEntry
from tests.conftest import actor_for


def employee_of(email: str) -> Employee:
    return Employee.objects.select_related("tenant", "manager").get(membership__user__email=email)


def next_weekday(
    start: dt.date, weekday: int = 0, *, tenant: Tenant | int | None = None
) -> dt.date:
    """The first `weekday` (0 = Monday) on or after `start` whose week has no day off."""
    day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    while tenant is not None and calendar.days_off(
        tenant, day - dt.timedelta(days=day.weekday()), day + dt.timedelta(days=6)
    ):
        day += dt.timedelta(days=7)
    return day


def grant(
    employee: Employee, leave_type: LeaveType, hours: str | Decimal, year: int | None = None
) -> LedgerEntry:
    """A balance line written directly (the entitlement services are tested on their own)."""
    year = year or dt.date.today().year
    return LedgerEntry.objects.create(
        tenant_id=employee.tenant_id,
        employee=employee,
        leave_type=leave_type,
        kind="grant",
        hours=Decimal(hours),
        effective=dt.date(year, 1, 1),
        year=year,
        tranche=str(year),
        actor_label="test",
    )


@pytest.fixture
def bv(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


@pytest.fixture
def hr(bv: Tenant) -> Actor:
    return actor_for("hr@demo-bv.test", "demo-bv")


@pytest.fixture
def manager(bv: Tenant) -> Actor:
    return actor_for("manager@demo-bv.test", "demo-bv")


@pytest.fixture
def worker(bv: Tenant) -> Actor:
    """member1: reports to the demo manager."""
    return actor_for("member1@demo-bv.test", "demo-bv")


@pytest.fixture
def holiday(bv: Tenant) -> LeaveType:
    return LeaveType.objects.for_tenant(bv).get(code="legal-holiday")


@pytest.fixture
def monday(bv: Tenant) -> dt.date:
    """A Monday a few weeks ahead in a week without public holidays."""
    return next_weekday(dt.date.today() + dt.timedelta(days=21), 0, tenant=bv)
