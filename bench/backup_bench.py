"""Backup benchmark: a company of 10,000 employees with their history; seconds and size of
`kluis backup`, of `kluis restore` and of a verification, on SQLite and on PostgreSQL, and
the HR list's latency (p99) while a backup runs compared with idle.

    .venv/bin/python bench/backup_bench.py [--employees 10000] [--engine both|sqlite|postgresql]

Standalone: a throw-away data directory (KLUIS_ENV=test, a new master key and backup key);
PostgreSQL through scripts/with_postgres.py (a throw-away cluster). Seeding is
bench/_seed.py's with its API history (audit events, wage components, spread changes).
The backup during the latency measurement is the real `kluis backup` in a child process,
as an operator or the worker runs it. Targets (2 cores): backup <= 30 s, restore <= 60 s,
p99 during a backup <= 2x idle. Prints figures; it does not fail on them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _seed import ROOT, seed

KLUIS = str(Path(sys.executable).with_name("kluis"))


def setup(data_dir: Path) -> None:
    """Django in `data_dir` (KLUIS_DATABASE_URL kept when the PostgreSQL run set it)."""
    os.environ["KLUIS_DATA_DIR"] = str(data_dir)
    os.environ["KLUIS_ENV"] = "test"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def client_for(user: Any, tenant: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(user)
    session = client.session
    session["kluis_tenant_id"] = tenant.pk
    session.save()
    return client


def latencies(client: Any, *, seconds: float = 0, until: Any = None) -> list[float]:
    """Request times (ms) of the HR list, for `seconds` or until `until()` is true."""
    out = []
    ends = time.monotonic() + seconds
    while (until is None and time.monotonic() < ends) or (until is not None and not until()):
        started = time.perf_counter()
        response = client.get("/people/", secure=True)
        assert response.status_code == 200, response.status_code
        out.append((time.perf_counter() - started) * 1000)
    return out


def p99(values: list[float]) -> float:
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def run(count: int) -> None:
    from django.db import connection

    from kluis.backups.archive import create_backup, restore_archive, verify_archive

    data_dir = Path(os.environ["KLUIS_DATA_DIR"])
    started = time.perf_counter()
    tenant, user = seed(count, api=True)
    seeding = time.perf_counter() - started
    engine = connection.vendor
    print(f"[{engine}] seeded {count:,} employees with history in {seeding:.1f} s")

    archive = data_dir / "bench.kluisbackup"
    started = time.perf_counter()
    with archive.open("wb") as out:
        manifest = create_backup(out, progress=False)
    backup_s = time.perf_counter() - started
    size = archive.stat().st_size
    print(
        f"[{engine}] backup: {backup_s:.1f} s, {size / 1e6:.1f} MB "
        f"({manifest.total_rows:,} rows in {len(manifest.tables)} tables; target <= 30 s)"
    )

    started = time.perf_counter()
    report = verify_archive(archive)
    print(
        f"[{engine}] verify (scratch SQLite): {time.perf_counter() - started:.1f} s, ok={report.ok}"
    )

    # The HR list, idle and while `kluis backup` runs in another process.
    client = client_for(user, tenant)
    latencies(client, seconds=2)  # warm-up
    idle = latencies(client, seconds=15)
    env = {**os.environ}
    with tempfile.TemporaryDirectory() as out_dir:
        child = subprocess.Popen(
            [KLUIS, "backup", "--output", out_dir],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        busy = latencies(client, until=lambda: child.poll() is not None)
        _out, err = child.communicate()
        if child.returncode != 0:
            print(f"[{engine}] the child backup failed: {err.decode(errors='replace')}")
    print(
        f"[{engine}] HR list /people/: idle p99 {p99(idle):.0f} ms (median "
        f"{statistics.median(idle):.0f} ms, {len(idle)} requests); during a backup p99 "
        f"{p99(busy):.0f} ms (median {statistics.median(busy):.0f} ms, {len(busy)} requests): "
        f"{p99(busy) / p99(idle):.2f}x (target <= 2x)"
    )

    started = time.perf_counter()
    restore_archive(archive, dry_run=False, force=True, progress=False)
    restore_s = time.perf_counter() - started
    print(f"[{engine}] restore: {restore_s:.1f} s (target <= 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--employees", type=int, default=10_000)
    parser.add_argument("--engine", choices=["both", "sqlite", "postgresql"], default="both")
    args = parser.parse_args()
    if args.engine == "both":
        here = str(Path(__file__).resolve())
        base = [sys.executable, here, "--employees", str(args.employees)]
        env = {k: v for k, v in os.environ.items() if k != "KLUIS_DATABASE_URL"}
        subprocess.run([*base, "--engine", "sqlite"], env=env, check=False)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "scripts" / "with_postgres.py"),
                "--",
                *base,
                "--engine",
                "postgresql",
            ],
            env=env,
            check=False,
        )
        return
    if args.engine == "sqlite":
        os.environ.pop("KLUIS_DATABASE_URL", None)
    elif not os.environ.get("KLUIS_DATABASE_URL"):
        sys.exit(
            "--engine postgresql needs KLUIS_DATABASE_URL (run it under scripts/with_postgres.py)"
        )
    data_dir = Path(tempfile.mkdtemp(prefix="kluis-backup-bench-"))
    try:
        setup(data_dir)
        run(args.employees)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
