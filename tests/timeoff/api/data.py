"""Calendar rows for the API's registry-wide tests (tests/api): a leave request of each
state, a sick period, a closing day, a locked and an unlocked month and a balance line in
a company, made through the services (the demo companies have leave types only). Made
once per company: calling it again changes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.models import LeaveRequest, LeaveType, Rule
from kluis.timeoff.services.balances import correct_balance, record_certificate
from tests.timeoff.conftest import grant, next_weekday


def member_of(tenant: Tenant, local: str = "member1") -> Employee:
    domain = f"{tenant.slug}.test"
    return Employee.objects.get(tenant=tenant, work_email=f"{local}@{domain}")


def uncounted_type(tenant: Tenant) -> LeaveType:
    """A leave type without a balance (unpaid, time credit): any request of it fits."""
    return (
        LeaveType.objects.for_tenant(tenant)
        .filter(rule=Rule.NONE, is_active=True)
        .order_by("pk")
        .first()
    )


def calendar_rows(tenant: Tenant) -> None:
    if LeaveRequest.objects.for_tenant(tenant).exists():
        return
    actor = Actor.system("api harness", tenant)
    person = member_of(tenant)
    kind = uncounted_type(tenant)
    today = dt.date.today()
    monday = next_weekday(today + dt.timedelta(days=28), 0, tenant=tenant)
    first = services.request_leave(
        actor, person, {"leave_type": kind, "start_date": monday, "end_date": monday}
    )
    later = monday + dt.timedelta(days=7)
    second = services.request_leave(
        actor,
        person,
        {"leave_type": kind, "start_date": later, "end_date": later + dt.timedelta(days=1)},
    )
    services.cancel_request(actor, second, reason="Plans changed")
    del first
    sick = next_weekday(today - dt.timedelta(days=30), 0)
    services.register_absence(
        actor,
        person,
        {"start_date": sick, "end_date": sick + dt.timedelta(days=1), "reason": "Flu"},
    )
    holiday = LeaveType.objects.for_tenant(tenant).exclude(rule=Rule.NONE).order_by("pk").first()
    grant(person, holiday, "76")
    closing = next_weekday(today + dt.timedelta(days=70), 2, tenant=tenant)
    services.add_closing_day(actor, tenant, {"date": closing, "name": "Bridge day"})
    year = today.year - 1
    opened = services.lock_month(actor, tenant, {"month": f"{year}-01", "reason": "Payroll"})
    services.unlock_month(actor, opened, reason="A late sick note")
    services.lock_month(actor, tenant, {"month": f"{year}-02", "reason": "Payroll"})
    # HR's hand-written balance lines (balance-corrections, holiday-certificates).
    other = member_of(tenant, "employee")
    correct_balance(actor, other, holiday, {"hours": "7.6", "note": "Agreed at hiring"})
    record_certificate(actor, other, year, "10", "Vorige BV")


def leave_request_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    day = next_weekday(dt.date.today() + dt.timedelta(days=120), 1, tenant=tenant)
    return {
        "employee": member_of(tenant, "employee").pk,
        "leave_type": uncounted_type(tenant).pk,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
        "reason": "Harness",
    }


def absence_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    day = next_weekday(dt.date.today() - dt.timedelta(days=60), 0)
    return {"employee": member_of(tenant, "employee").pk, "start_date": day.isoformat()}


def correction_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    holiday = LeaveType.objects.for_tenant(tenant).exclude(rule=Rule.NONE).order_by("pk").first()
    assert holiday is not None
    return {
        "employee": member_of(tenant, "employee").pk,
        "leave_type": holiday.pk,
        "hours": "3.8",
        "note": "Harness",
    }


def certificate_body(demo: dict[str, Tenant]) -> dict[str, Any]:
    tenant = demo["demo-bv"]
    year = dt.date.today().year - 1
    return {"employee": member_of(tenant, "member2").pk, "year": year, "days": "8"}


# Create bodies naming the company's own rows, for resources whose documented example
# names ids (tests/api/test_resources.py's Idempotency-Key test).
CREATE_BODIES: dict[str, Callable[[dict[str, Tenant]], dict[str, Any]]] = {
    "leave-requests": leave_request_body,
    "absences": absence_body,
    "balance-corrections": correction_body,
    "holiday-certificates": certificate_body,
}
