"""Dashboard benchmark: the dashboard of an HR admin and of a manager in a company of 2,000
employees with a year of leave; server time (p50/p95) and SQL queries, and the same
queries at 200 employees (a flat count: the dashboard reads in a fixed number of queries
whatever the size of the company).

    .venv/bin/python bench/dashboard_bench.py [--employees 2000] [--small 200] [--runs 30]

Standalone: each size runs in a child process with a throw-away data directory (SQLite,
master key), KLUIS_ENV=test. Employees come from bench/_seed.py, their year of leave from
bench/_timeoff_seed.py; a few contracts and probation periods end in the coming weeks and
some people lack a bank account or an emergency contact, so every card has something to
count. Each page goes through Django's test client signed in as HR and as a team lead
(request to last byte, as bench/timeoff_bench.py measures). Prints [PASS]/[FAIL] for
<= 150 ms (p95) and for the same number of queries at both sizes; like the other
benches it prints and does not fail (bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _seed import seed, setup_django

TARGET_MS = 150


def prepare(tenant: Any) -> None:
    """What the dashboard's cards count: contracts and probation periods ending within 60
    days, people without a bank account or an emergency contact (bulk, as HR would have
    entered them)."""
    from django.utils import timezone

    from kluis.people.models import EmergencyContact, Employee, Employment

    today = timezone.localdate()
    ids = list(Employee.objects.for_tenant(tenant).order_by("pk").values_list("pk", flat=True))
    for n, pk in enumerate(ids[::40]):
        Employment.objects.for_tenant(tenant).filter(employee_id=pk).update(
            end_date=today + dt.timedelta(days=n % 75), contract_type="fixed_term"
        )
    for n, pk in enumerate(ids[7::50]):
        Employment.objects.for_tenant(tenant).filter(employee_id=pk).update(
            probation_end_date=today + dt.timedelta(days=n % 70)
        )
    Employee.objects.for_tenant(tenant).filter(pk__in=ids[3::60]).update(iban_sealed="")
    EmergencyContact.objects.bulk_create(
        EmergencyContact(tenant=tenant, employee_id=pk, name="Bench contact", phone="+32470000000")
        for pk in ids[::3]
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(client: Any, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from people_bench import consume

    for _warm in range(2):
        response = client.get("/")
        assert response.status_code == 200, response.status_code
        consume(response)
    times, cpu = [], []
    for _run in range(runs):
        started, used = time.perf_counter(), time.process_time()
        consume(client.get("/"))
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    with CaptureQueriesContext(connection) as captured:
        body = client.get("/").content.decode()
    return {
        "p50": statistics.median(times),
        "p95": percentile(times, 0.95),
        "cpu50": statistics.median(cpu),
        "cpu95": percentile(cpu, 0.95),
        "queries": len(captured),
        "cards": body.count('class="kluis-card kluis-dash-card'),
    }


def child(count: int, runs: int) -> dict[str, Any]:
    """Seed one company of `count` employees and measure both dashboards (in this process)."""
    from _timeoff_seed import seed_leave
    from django.db import transaction
    from people_bench import client_for
    from timeoff_bench import member_for

    from kluis.access.actor import Actor
    from kluis.company.demo import _demo_sign_in_policy
    from kluis.people.models import Employee

    started = time.perf_counter()
    tenant, hr_user = seed(count)
    leave = seed_leave(tenant)
    prepare(tenant)
    seeded = time.perf_counter() - started
    with transaction.atomic():  # as the demo: no second factor asked of these logins
        _demo_sign_in_policy(Actor.system("bench", tenant), tenant)
    lead = Employee.objects.filter(tenant=tenant, reports__isnull=False).order_by("pk").first()
    assert lead is not None
    team = Employee.objects.filter(tenant=tenant, manager=lead).count()
    manager = client_for(member_for(tenant, lead, "lead@bench.test", "manager"), tenant)
    hr = client_for(hr_user, tenant)
    return {
        "employees": count,
        "seeded_s": seeded,
        "requests": leave["requests"],
        "team": team,
        "hr": measure(hr, runs),
        "manager": measure(manager, runs),
    }


def run_child(count: int, runs: int) -> dict[str, Any]:
    found = subprocess.run(
        [sys.executable, __file__, "--child", str(count), "--runs", str(runs)],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise SystemExit(f"the {count}-employee run failed:\n{found.stdout}\n{found.stderr}")
    result: dict[str, Any] = json.loads(found.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--employees", type=int, default=2000)
    parser.add_argument("--small", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        data_dir = Path(tempfile.mkdtemp(prefix="kluis-bench-"))
        try:
            setup_django(data_dir)
            print(json.dumps(child(args.child, args.runs)))
        finally:
            shutil.rmtree(data_dir, ignore_errors=True)
        return
    small = run_child(args.small, args.runs)
    large = run_child(args.employees, args.runs)
    print(
        f"Seeded {large['employees']:,} employees with a year of leave "
        f"({large['requests']:,} requests) in {large['seeded_s']:.0f} s; the lead manages "
        f"{large['team']}. {args.runs} requests each after a warm-up, request to last byte "
        f"({os.cpu_count()} CPUs, SQLite).\n"
    )
    load = os.getloadavg()[0]
    print(f"Load average during the run: {load:.1f} on {os.cpu_count()} CPUs (CPU ms: this")
    print("process's own CPU time per request, what the request costs on a busy machine).\n")
    at_small = f"at {args.small}"
    print(
        f"{'dashboard':10}  {'p50 ms':>7}  {'p95 ms':>7}  {'CPU p50':>7}  {'CPU p95':>7}  "
        f"{'queries':>7}  {at_small:>7}"
    )
    for who in ("hr", "manager"):
        big, little = large[who], small[who]
        fast = big["p95"] <= TARGET_MS
        flat = big["queries"] == little["queries"]
        print(
            f"{who:10}  {big['p50']:7.1f}  {big['p95']:7.1f}  {big['cpu50']:7.1f}  "
            f"{big['cpu95']:7.1f}  {big['queries']:7}  {little['queries']:7}"
        )
        print(
            f"{'':10}  [{'PASS' if fast else 'FAIL'}] p95 {big['p95']:.0f} ms <= {TARGET_MS} ms"
            f"  [{'PASS' if big['cpu95'] <= TARGET_MS else 'FAIL'}] CPU p95 "
            f"{big['cpu95']:.0f} ms <= {TARGET_MS} ms"
            f"  [{'PASS' if flat else 'FAIL'}] {big['queries']} queries at both "
            f"{args.small:,} and {args.employees:,}"
        )


if __name__ == "__main__":
    main()
