"""A migrated SQLite database made once per test run, copied into the data directories of
tests that run the real `kluis` command in child processes (migrating costs 10 to 40 s a
time on two busy cores; a copy costs milliseconds).

    migrated_copy(tmp_path)   # tmp_path/kluis.sqlite3: every migration applied, no rows

The first pytest-xdist worker that needs it migrates, under a lock, into the run's data
directory the workers share (scripts/run-pytest.sh); the others wait and copy. The copy is made with
SQLite's backup API, so it is consistent whatever the template's WAL holds."""

from __future__ import annotations

import fcntl
import os
import sqlite3
import tempfile
from pathlib import Path

from tests.cli.helpers import run_kluis

DATABASE = "kluis.sqlite3"


def _run_directory() -> Path:
    """The run's data directory (scripts/run-pytest.sh makes one per run, shared by every
    xdist worker and removed afterwards), else one of this process."""
    run = os.environ.get("KLUIS_DATA_DIR", "")
    base = Path(run) if run else Path(tempfile.gettempdir()) / f"kluis-test-{os.getpid()}"
    path = base / "sqlite-template"
    path.mkdir(parents=True, exist_ok=True)
    return path


def template() -> Path:
    shared = _run_directory()
    database = shared / "data" / DATABASE
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "migrated").exists():
            (shared / "data").mkdir(exist_ok=True)
            result = run_kluis(
                shared / "data", "manage", "migrate", "--verbosity", "0", timeout=300
            )
            assert result.returncode == 0, result.stderr
            (shared / "migrated").touch()
    return database


def migrated_copy(data_dir: Path) -> Path:
    """Put a migrated, empty database into `data_dir`; returns it."""
    data_dir.mkdir(parents=True, exist_ok=True)
    target = data_dir / DATABASE
    with sqlite3.connect(template()) as source, sqlite3.connect(target) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return target
