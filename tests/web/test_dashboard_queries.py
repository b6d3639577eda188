"""The dashboard reads in a fixed number of SQL queries, whatever the size of the company:
the same count for HR and for a manager after 150 more people with leave, sick periods,
birthdays, ending contracts and missing data."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kluis.people.models import EmergencyContact, Employee, EmployeeStatus, Employment
from kluis.timeoff.models import Absence, LeaveDay, LeaveRequest, LeaveType, Status
from kluis.timeoff.team_calendar import week_of
from tests.timeoff.conftest import employee_of

MORE = 150


def _queries(client) -> int:
    client.get("/")  # warm: the first request of a session reads what later ones cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def _in_year(day: dt.date, year: int) -> dt.date:
    return (
        day.replace(year=year, day=28)
        if (day.month, day.day) == (2, 29)
        else day.replace(year=year)
    )


def _grow(tenant, manager: Employee, first: int, more: int) -> None:
    today = timezone.localdate()
    monday = week_of(today)[0]
    holiday = LeaveType.objects.for_tenant(tenant).get(code="legal-holiday")
    people = Employee.objects.bulk_create(
        Employee(
            tenant=tenant,
            employee_number=f"Q{n}",
            first_name=f"Query{n}",
            last_name="Flat",
            manager=manager if n % 3 == 0 else None,
            status=EmployeeStatus.ACTIVE,
            birth_date=_in_year(monday + dt.timedelta(days=n % 7), 1980 + n % 30),
            iban_sealed="" if n % 4 == 0 else "a sealed token",
        )
        for n in range(first, first + more)
    )
    Employment.objects.bulk_create(
        Employment(
            tenant=tenant,
            employee=p,
            contract_type="fixed_term",
            start_date=_in_year(monday + dt.timedelta(days=n % 7), 2015 + n % 10),
            end_date=today + dt.timedelta(days=n % 90),
            probation_end_date=today + dt.timedelta(days=n % 70),
            job_title="Analyst",
        )
        for n, p in enumerate(people)
    )
    EmergencyContact.objects.bulk_create(
        EmergencyContact(tenant=tenant, employee=p, name="Someone", phone="+32470000000")
        for p in people[::2]
    )
    requests = LeaveRequest.objects.bulk_create(
        LeaveRequest(
            tenant=tenant,
            employee=p,
            leave_type=holiday,
            start_date=monday + dt.timedelta(days=n % 5),
            end_date=monday + dt.timedelta(days=n % 5),
            hours=8,
            status=Status.APPROVED if n % 2 else Status.PENDING,
            requested_by="test",
        )
        for n, p in enumerate(people)
    )
    LeaveDay.objects.bulk_create(
        LeaveDay(
            tenant=tenant,
            employee=r.employee,
            request=r,
            date=r.start_date,
            hours=8,
            active=True,
        )
        for r in requests
    )
    Absence.objects.bulk_create(
        Absence(tenant=tenant, employee=p, start_date=today, registered_by="test")
        for p in people[::5]
    )


def test_the_dashboard_reads_in_a_fixed_number_of_queries(
    demo, login, django_assert_max_num_queries
):
    tenant = demo["demo-bv"]
    boss = employee_of("manager@demo-bv.test")
    _grow(tenant, boss, 0, 12)  # something on every card
    hr = login("hr@demo-bv.test", "demo-bv")
    before_hr = _queries(hr)
    manager = login("manager@demo-bv.test", "demo-bv")
    before_manager = _queries(manager)
    _grow(tenant, boss, 12, MORE)

    hr = login("hr@demo-bv.test", "demo-bv")
    hr.get("/")
    with django_assert_max_num_queries(before_hr):
        page = hr.get("/").content.decode()
    assert "Query" in page  # the new people are on it (away, celebrations)
    manager = login("manager@demo-bv.test", "demo-bv")
    manager.get("/")
    with django_assert_max_num_queries(before_manager):
        page = manager.get("/").content.decode()
    assert 'data-testid="waiting-for-me"' in page
