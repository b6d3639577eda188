"""Calendar benchmark: a company of 10,000 employees with a year of leave; server time and
SQL queries of submitting a 10-day request, approving it, the team calendar's month for a
50-person department, HR's company overview month, one employee's balance page, and a
balance recomputation for everyone.

    .venv/bin/python bench/timeoff_bench.py [--employees 10000] [--runs 7]

Standalone: a throw-away data directory (SQLite, master key), KLUIS_ENV=test. Employees
come from bench/_seed.py, their year of leave from bench/_timeoff_seed.py (requests with
their days, ledger lines, sick periods, in bulk). Requests and approvals go through the
web pages as the employee and their manager would send them (Django's test client,
request to last byte); each submitted request is a new one (a different week), and each
approval approves a different request, so no run repeats work already done. The API list
of leave requests is measured against the floor by bench/api_bench.py
(`--only "leave requests"`). Prints figures; it does not fail on them (bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _seed import seed, setup_django
from _timeoff_seed import seed_leave
from people_bench import client_for, consume  # the same test client and reading

TARGETS = {
    "submit": 100,
    "approve": 100,
    "team": 150,
    "company": 300,
    "balance": 50,
    "recompute": 10_000,
}


def measured(fetch: Callable[[int], Any], runs: int) -> tuple[float, int, Any]:
    """(median ms, SQL queries of one run, the last response) of `runs` fetches after a
    warm-up; fetch(n) is the n-th (each may do different work)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    consume(fetch(0))
    times = []
    response = None
    for n in range(1, runs + 1):
        started = time.perf_counter()
        response = fetch(n)
        consume(response)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        consume(fetch(runs + 1))
    return statistics.median(times), len(captured), response


def member_for(tenant: Any, employee: Any, email: str, role: str) -> Any:
    """A login for a seeded employee (bench employees have none)."""
    from kluis.access.actor import Actor
    from kluis.access.models import Role
    from kluis.company.services import add_member
    from kluis.people.models import Employee

    roles = {r.builtin_key: r for r in Role.objects.filter(tenant=tenant)}
    membership = add_member(
        Actor.system("bench", tenant),
        tenant,
        email=email,
        first_name=employee.first_name,
        last_name=employee.last_name,
        roles=[roles[role]] if role == "employee" else [roles[role], roles["employee"]],
    )
    Employee.objects.filter(pk=employee.pk).update(membership=membership)
    return membership.user


def run(count: int, runs: int) -> None:
    from django.db import transaction
    from django.urls import reverse
    from django.utils import timezone

    from kluis.access.actor import Actor
    from kluis.people.models import Department, Employee
    from kluis.timeoff.models import LeaveDay, LeaveRequest, LeaveType

    started = time.perf_counter()
    tenant, hr_user = seed(count)
    seeded_people = time.perf_counter() - started
    started = time.perf_counter()
    counts = seed_leave(tenant)
    seeded_leave = time.perf_counter() - started
    print(
        f"Seeded {count:,} employees in {seeded_people:.1f} s and a year of leave in "
        f"{seeded_leave:.1f} s: {counts['requests']:,} requests, {counts['days']:,} leave "
        f"days, {counts['ledger']:,} ledger lines, {counts['absences']:,} sick periods "
        f"({os.cpu_count()} CPUs, SQLite)."
    )
    print(f"Median of {runs} runs after a warm-up; server time = request to last byte.\n")
    table: list[tuple[str, float, int | None, int, str]] = []

    # The employee who asks and the manager who approves: real logins of seeded people.
    lead = Employee.objects.filter(tenant=tenant, reports__isnull=False).order_by("pk").first()
    assert lead is not None
    worker = Employee.objects.filter(tenant=tenant, manager=lead).order_by("pk").first()
    assert worker is not None
    employee_client = client_for(
        member_for(tenant, worker, "worker@bench.test", "employee"), tenant
    )
    manager_client = client_for(member_for(tenant, lead, "lead@bench.test", "manager"), tenant)
    # As the demo companies: no second factor required, so HR's pages answer without an
    # enrolment step (the bench signs in with a session, not through the login form).
    from kluis.company.demo import _demo_sign_in_policy

    with transaction.atomic():
        _demo_sign_in_policy(Actor.system("bench", tenant), tenant)
    hr_client = client_for(hr_user, tenant)
    holiday = LeaveType.objects.for_tenant(tenant).get(code="legal-holiday")
    # Leave far ahead, one fortnight after another, clear of the seeded year.
    LeaveDay.objects.filter(employee=worker, date__gte=timezone.localdate()).delete()
    from kluis.timeoff.models import LedgerEntry

    LedgerEntry.objects.create(
        tenant=tenant,
        employee=worker,
        leave_type=holiday,
        kind="correction",
        hours=10_000,
        effective=dt.date(timezone.localdate().year, 1, 1),
        year=timezone.localdate().year,
        actor_label="bench",
    )
    first_monday = timezone.localdate() + dt.timedelta(days=60)
    first_monday += dt.timedelta(days=(7 - first_monday.weekday()) % 7)

    def submit(n: int) -> Any:
        start = first_monday + dt.timedelta(weeks=2 * n)
        return employee_client.post(
            reverse("timeoff:request_leave"),
            {
                "leave_type": holiday.pk,
                "start_date": start.isoformat(),
                "end_date": (start + dt.timedelta(days=11)).isoformat(),
                "reason": "",
            },
        )

    ms, n, response = measured(submit, runs)
    assert response.status_code in (200, 302), response.status_code
    made = LeaveRequest.objects.filter(employee=worker, status="pending").count()
    assert made >= runs + 2, f"the requests were not made ({made}): {response.content[:400]!r}"
    table.append(("Submit a 10-day request (web form)", ms, TARGETS["submit"], n, "1"))

    waiting = list(LeaveRequest.objects.filter(employee=worker, status="pending").order_by("pk"))

    def approve(n: int) -> Any:
        return manager_client.post(
            reverse("timeoff:approve", args=[waiting[n].pk]), {"comment": "ok"}
        )

    ms, n, response = measured(approve, runs)
    assert response.status_code in (200, 302), response.status_code
    approved = LeaveRequest.objects.filter(
        employee=worker, status="approved", start_date__gte=first_monday
    ).count()
    assert approved >= runs + 2, f"the approvals did not happen ({approved})"
    table.append(("Approve it (web)", ms, TARGETS["approve"], n, "1"))

    # A department of 50 and HR's overview.
    with transaction.atomic():
        small = Department.objects.create(tenant=tenant, name="Bench 50")
        fifty = list(
            Employee.objects.filter(tenant=tenant)
            .order_by("pk")
            .values_list("pk", flat=True)[100:150]
        )
        Employee.objects.filter(pk__in=fifty).update(department=small)
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    team_url = reverse("timeoff:team_calendar")
    ms, n, response = measured(
        lambda _n: hr_client.get(
            team_url, {"view": "month", "month": month, "department": small.pk}
        ),
        runs,
    )
    assert response.status_code == 200, response.status_code
    table.append(("Team calendar, month, 50-person department", ms, TARGETS["team"], n, "50"))

    overview_url = reverse("timeoff:company_overview")
    for size in (100, 500):
        ms, n, response = measured(
            lambda _n, s=size: hr_client.get(overview_url, {"month": month, "per_page": s}), runs
        )
        assert response.status_code == 200, response.status_code
        shown = response.content.decode().count("<tr data-employee=")
        table.append(
            (
                f"Company overview, month, {size} a page",
                ms,
                TARGETS["company"],
                n,
                str(shown or "?"),
            )
        )

    ms, n, response = measured(lambda _n: employee_client.get(reverse("timeoff:my_calendar")), runs)
    assert response.status_code == 200, response.status_code
    table.append(("One employee's calendar and balances", ms, TARGETS["balance"], n, "1"))
    lines_url = reverse("timeoff:my_balance_lines", args=[holiday.pk])
    ms, n, response = measured(lambda _n: employee_client.get(lines_url), runs)
    assert response.status_code == 200, response.status_code
    table.append(("One balance, line by line", ms, TARGETS["balance"], n, "1"))

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from kluis.timeoff.services.balances import grant_year

    year = timezone.localdate().year
    system = Actor.system("bench", tenant)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        written = grant_year(system, tenant, year)
    first = (time.perf_counter() - started) * 1000
    table.append(
        (
            f"Recompute every balance of {year} (first: {written:,} lines)",
            first,
            TARGETS["recompute"],
            len(captured),
            f"{count:,}",
        )
    )
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        written = grant_year(system, tenant, year)
    again = (time.perf_counter() - started) * 1000
    table.append(
        (
            f"Recompute again (nothing changed: {written} lines)",
            again,
            TARGETS["recompute"],
            len(captured),
            f"{count:,}",
        )
    )

    width = max(len(row[0]) for row in table)
    print(f"{'':{width}}  {'ms':>7}  {'target':>8}  {'queries':>7}  {'people':>7}")
    for label, ms_value, target, n, people in table:
        goal = f"<= {target}" if target else ""
        print(f"{label:{width}}  {ms_value:7.0f}  {goal:>8}  {n:>7}  {people:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kluis-bench-"))
    try:
        setup_django(data_dir)
        run(args.employees, args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
