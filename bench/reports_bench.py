"""Reports benchmark: a company of 2,000 employees with a year of leave; the server time
(p50, p95) and SQL queries of every report page for an HR admin (the whole company) and a
manager (their team of about 50), and of HR's CSV exports.

    .venv/bin/python bench/reports_bench.py [--employees 2000] [--runs 15]

Standalone: a throw-away data directory (SQLite, master key), KLUIS_ENV=test. Employees
come from bench/_seed.py, their year of leave (grants, uses, sick periods) from
bench/_timeoff_seed.py; on top, one in ten left during the past year and one in twenty
is on a fixed-term contract ending within a year, so turnover and contract ends have
something to count. Pages are fetched as HR and the manager would (Django's test client,
request to last byte). Prints [PASS] or [FAIL] per page against the issue's target: a
p95 of at most 300 ms (bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from _seed import seed, setup_django
from _timeoff_seed import seed_leave
from people_bench import client_for, consume
from timeoff_bench import member_for

TARGET_MS = 300


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure(client: Any, url: str, params: dict[str, str], runs: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, SQL queries of one fetch) over `runs` fetches after a warm-up."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code)
    consume(response)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        consume(client.get(url, params))
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as captured:
        consume(client.get(url, params))
    return statistics.median(times), percentile(times, 0.95), len(captured)


def shape_history(tenant: Any) -> dict[str, int]:
    """Leavers of the past year and fixed-term contracts ending within the next (bench
    data, written in bulk like the seed)."""
    from django.db import transaction
    from django.utils import timezone

    from kluis.people.models import Employee, Employment

    rng = random.Random(20261207)  # noqa: S311  (benchmark data, repeatable)
    today = timezone.localdate()
    contracts = list(Employment.objects.filter(tenant=tenant).order_by("pk"))
    left, fixed = [], []
    for contract in contracts:
        roll = rng.random()
        if roll < 0.1:
            end = today - dt.timedelta(days=rng.randrange(1, 365))
            if end >= contract.start_date:
                contract.end_date = end
                left.append(contract)
        elif roll < 0.15:
            contract.contract_type = "fixed_term"
            contract.end_date = today + dt.timedelta(days=rng.randrange(1, 365))
            fixed.append(contract)
    with transaction.atomic():
        Employment.objects.bulk_update(left + fixed, ["end_date", "contract_type"], 1000)
        Employee.objects.filter(pk__in=[c.employee_id for c in left]).update(status="left")
    return {"leavers": len(left), "fixed_term": len(fixed)}


def run(count: int, runs: int) -> bool:
    from django.db import transaction

    from kluis.access.actor import Actor
    from kluis.company.demo import _demo_sign_in_policy
    from kluis.people.models import Employee
    from kluis.reports.catalogue import REPORTS

    started = time.perf_counter()
    tenant, hr_user = seed(count)
    counts = seed_leave(tenant)
    shaped = shape_history(tenant)
    seconds = time.perf_counter() - started
    print(
        f"Seeded {count:,} employees with a year of leave in {seconds:.1f} s: "
        f"{counts['requests']:,} requests, {counts['ledger']:,} ledger lines, "
        f"{counts['absences']:,} sick periods, {shaped['leavers']:,} leavers in the past year, "
        f"{shaped['fixed_term']:,} fixed-term contracts ending within a year "
        f"({os.cpu_count()} CPUs, SQLite)."
    )
    with transaction.atomic():
        _demo_sign_in_policy(Actor.system("bench", tenant), tenant)
    lead = Employee.objects.filter(tenant=tenant, reports__isnull=False).order_by("pk").first()
    assert lead is not None
    team = Employee.objects.filter(tenant=tenant, manager=lead).count()
    clients = {
        "HR": client_for(hr_user, tenant),
        f"manager ({team + 1})": client_for(
            member_for(tenant, lead, "lead@bench.test", "manager"), tenant
        ),
    }
    print(
        f"p50 and p95 of {runs} runs after a warm-up; server time = request to last byte; "
        f"load average {os.getloadavg()[0]:.1f}.\n"
    )
    rows: list[tuple[str, float, float, int]] = []
    for who, client in clients.items():
        for key in REPORTS:
            url = f"/reports/{key}/"
            if client.get(url).status_code != 200:
                continue  # not this role's report (a manager sees no sickness or ages)
            p50, p95, queries = measure(client, url, {}, runs)
            rows.append((f"{key}, {who}", p50, p95, queries))
    for key in REPORTS:
        p50, p95, queries = measure(clients["HR"], f"/reports/{key}/export.csv", {}, runs)
        rows.append((f"{key} CSV, HR", p50, p95, queries))
    width = max(len(row[0]) for row in rows)
    head = f"{'report':{width}}  {'p50 ms':>7}  {'p95 ms':>7}  {'queries':>7}"
    print(f"{head}  target <= {TARGET_MS} ms")
    passed = True
    for label, p50, p95, queries in rows:
        ok = p95 <= TARGET_MS
        passed &= ok
        print(
            f"{label:{width}}  {p50:7.0f}  {p95:7.0f}  {queries:7d}  {'[PASS]' if ok else '[FAIL]'}"
        )
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="kluis-bench-"))
    try:
        setup_django(data_dir)
        run(args.employees, args.runs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
