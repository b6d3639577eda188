"""People benchmark: 10,000 employees in one company; server time and SQL queries of the
HR list, a profile and the CSV export, and the export's peak memory.

    .venv/bin/python bench/people_bench.py [--employees 10000] [--runs 7]

Standalone: a throw-away data directory (SQLite, master key), KLUIS_ENV=test. Seeding
uses bulk_create with values sealed by the real vault (not hire_employee 10,000 times);
the rows are complete and valid: national numbers, IBANs and addresses sealed, a blind
index, a contract, a sealed wage, custom fields and a first version each.
Prints figures; it does not fail on them (see bench/README.md).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _seed import seed, setup_django  # bench/_seed.py, shared with bench/api_bench.py

# --- measuring ----------------------------------------------------------------------------


def client_for(user: Any, tenant: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["kluis_tenant_id"] = tenant.pk
    session.save()
    return client


def consume(response: Any) -> int:
    if getattr(response, "streaming", False):
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(fetch: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median wall time in ms of `runs` fetches (to the last byte), after one warm-up."""
    response = fetch()
    consume(response)
    times = []
    for _run in range(runs):
        started = time.perf_counter()
        response = fetch()
        consume(response)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), response


def queries(fetch: Callable[[], Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        consume(fetch())
    return len(captured)


def peak_memory(fetch: Callable[[], Any]) -> tuple[float, int]:
    """(peak MiB that Python allocated during the request, bytes sent)."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    try:
        size = consume(fetch())
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / (1024 * 1024), size


def list_rows(response: Any) -> int:
    return len(set(re.findall(r'href="/people/(\d+)/"', response.content.decode())))


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


def run(count: int, runs: int) -> None:
    from django.urls import NoReverseMatch, reverse

    from kluis.people.models import Employee, Team

    started = time.perf_counter()
    tenant, user = seed(count)
    seeding = time.perf_counter() - started
    client = client_for(user, tenant)
    print(f"Seeded {count:,} employees in {seeding:.1f} s ({os.cpu_count()} CPUs, SQLite).")
    print(f"Median of {runs} runs after a warm-up; server time = request to last byte.\n")
    table: list[tuple[str, str, str, str, str]] = []
    notes: list[str] = []

    def have(name: str, *args: Any) -> bool:
        try:
            reverse(name, args=args)
        except NoReverseMatch:
            return False
        return True

    if have("people:list"):
        pages = max(1, count // 50)
        for label, params in (
            ("HR list, page 1", {}),
            (f"HR list, page {int(pages * 0.75)}", {"page": int(pages * 0.75)}),
            ("HR list, sorted by department", {"sort": "department"}),
            ("HR list, search 'peeters'", {"q": "peeters"}),
        ):
            ms, response = timed(lambda p=params: client.get("/people/", p), runs)
            n = queries(lambda p=params: client.get("/people/", p))
            rows = list_rows(response)
            table.append((label, f"{ms:.0f}", "<= 150", str(n), str(rows)))
        sizes = []
        for name in ("per_page", "page_size"):
            for size in (25, 100, 200):
                response = client.get("/people/", {name: size})
                if list_rows(response) == min(size, count):
                    sizes.append((name, size))
        for name, size in sizes:
            ms, response = timed(lambda n=name, s=size: client.get("/people/", {n: s}), runs)
            n = queries(lambda n=name, s=size: client.get("/people/", {n: s}))
            table.append(
                (f"HR list, {size} a page", f"{ms:.0f}", "<= 150", str(n), str(list_rows(response)))
            )
        if not sizes:
            notes.append("The HR list has one page size (50): no page-size rows.")
    else:
        notes.append("No HR list yet (people:list): list rows skipped.")

    someone = Employee.objects.filter(tenant=tenant, manager__isnull=False).order_by("pk")[
        count // 2
    ]
    if have("people:detail", someone.pk):
        url = reverse("people:detail", args=[someone.pk])
        ms, response = timed(lambda: client.get(url), runs)
        assert response.status_code == 200, response.status_code
        table.append(
            ("Profile page", f"{ms:.0f}", "<= 100", str(queries(lambda: client.get(url))), "1")
        )
    else:
        notes.append("No profile page yet (people:detail): profile row skipped.")

    team = Team.objects.filter(tenant=tenant).order_by("pk").first()
    assert team is not None
    small = {"team": team.pk}
    small_rows = Employee.objects.filter(tenant=tenant, team=team).count()
    for label, params, rows in (
        (f"CSV export, all {count:,}", {}, count),
        (f"CSV export, {small_rows:,} (one team)", small, small_rows),
    ):
        ms, _response = timed(
            lambda p=params: client.get("/people/export.csv", p), max(3, runs // 2)
        )
        n = queries(lambda p=params: client.get("/people/export.csv", p))
        target = "<= 3000" if rows == count else ""
        table.append((label, f"{ms:.0f}", target, str(n), f"{rows:,}"))
    ms, _response = timed(lambda: client.get("/people/export.xlsx"), 3)
    table.append(
        (
            f"XLSX export, all {count:,}",
            f"{ms:.0f}",
            "",
            str(queries(lambda: client.get("/people/export.xlsx"))),
            f"{count:,}",
        )
    )

    width = max(len(row[0]) for row in table)
    print(f"{'':{width}}  {'ms':>6}  {'target':>8}  {'queries':>7}  {'rows':>7}")
    for label, ms_text, target, n, rows in table:
        print(f"{label:{width}}  {ms_text:>6}  {target:>8}  {n:>7}  {rows:>7}")

    big_peak, big_bytes = peak_memory(lambda: client.get("/people/export.csv"))
    small_peak, small_bytes = peak_memory(lambda: client.get("/people/export.csv", small))
    print("\nCSV export peak memory (tracemalloc, Python allocations during the request):")
    print(f"  {count:>7,} rows: {big_peak:6.2f} MiB peak for {big_bytes / 1e6:6.2f} MB sent")
    print(
        f"  {small_rows:>7,} rows: {small_peak:6.2f} MiB peak for {small_bytes / 1e6:6.2f} MB sent"
    )
    ratio = big_peak / small_peak if small_peak else float("nan")
    print(
        f"  {count / small_rows:.0f}x the rows -> {ratio:.2f}x the memory "
        "(flat = streaming, does not grow with rows)"
    )
    print("\nTargets: list <= 150 ms, profile <= 100 ms, export of 10,000 <= 3 s; query counts")
    print("should not grow with the page size or the number of exported rows.")
    for note in notes:
        print(f"Note: {note}")


if __name__ == "__main__":
    main()
