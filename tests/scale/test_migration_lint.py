"""The migration linter of `make lint` (scripts/lint-migrations.py): a new migration that a
node still on the release before could not run against (dropping a column, a NOT NULL
column without a default) is refused; one marked with IgnoreMigration() and an expanding
one pass (also a nullable column with a default, which SQLite would rebuild the table
for); the baseline's migrations are not linted. Runs as `make lint` runs it: its own
process, under a throw-away PostgreSQL server of its own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "lint-migrations.py"
BASELINE = ROOT / "scripts" / "migration-lint-baseline.txt"

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = [pytest.mark.slow, pytest.mark.engine_independent]


def lint(baseline: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KLUIS_")}
    env["DJANGO_SETTINGS_MODULE"] = "tests.scale.migration_lint_settings"
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--baseline", str(baseline)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def app_label(package: Path) -> str:
    """An app's label as its AppConfig names it (kluis/flags is `kluis_flags`)."""
    found = re.search(r'^\s+label = "(\w+)"', (package / "apps.py").read_text(), re.M)
    return found.group(1) if found else package.name


def baseline_with(tmp_path: Path, *extra: str) -> Path:
    """The shipped baseline, every migration Kluis's apps have now (the project's own new
    ones are `make lint`'s business, not this test's: only the fixture's are counted), and
    `extra` of the fixture's."""
    path = tmp_path / "baseline.txt"
    apps = sorted(
        f"{app_label(migration.parent.parent)} {migration.stem}\n"
        for migration in (ROOT / "kluis").glob("*/migrations/[0-9]*.py")
    )
    fixture = "".join(f"lint_fixture {name}\n" for name in extra)
    path.write_text(BASELINE.read_text() + "".join(apps) + fixture)
    return path


def test_a_dropped_column_and_a_not_null_column_without_default_are_refused(tmp_path):
    result = lint(baseline_with(tmp_path, "0001_initial"))
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "(lint_fixture, 0002_remove_thing_note)... ERR" in out
    assert "DROPPING columns (table: lint_fixture_thing, column: note)" in out
    assert "(lint_fixture, 0003_thing_size)... ERR" in out
    assert "NOT NULL constraint on columns" in out
    # Marked (a contract step, with its reason) and expanding: not refused.
    assert "0004_remove_thing_label" not in out
    assert "0005_thing_colour" not in out
    assert "0006_thing_shade" not in out
    assert "2 of 4 new ones are not backward compatible" in out
    # The baseline's migrations (every app's but the fixture's own new ones) are left alone.
    assert "(people," not in out and "(tenancy," not in out


def test_only_backward_compatible_or_marked_new_migrations_pass(tmp_path):
    result = lint(
        baseline_with(tmp_path, "0001_initial", "0002_remove_thing_note", "0003_thing_size")
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Migrations: 2 new, backward compatible; 1 marked" in result.stdout
