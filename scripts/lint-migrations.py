#!/usr/bin/env python
"""Refuse a backward-incompatible migration (docs/operations.md "Several nodes on
PostgreSQL", expand/contract): django-migration-linter over every migration that is not
in the baseline (scripts/migration-lint-baseline.txt: the migrations made before the rule,
by app and name). A new migration that drops or renames a column or table, adds a NOT
NULL column without a default, changes a column's type or adds a unique constraint fails
`make lint`, unless it is marked: its operations start with
`django_migration_linter.IgnoreMigration()` and a comment saying why it is safe (a
contract step whose release no longer reads the column, see the rolling-upgrade
procedure).

The SQL linted is PostgreSQL's, the engine several nodes run on (SQLite rebuilds a table
for most changes, which the linter cannot tell from a breaking one). With no new migration
nothing is started. Otherwise the script runs itself again under scripts/with_postgres.py
(a throw-away server of its own, never KLUIS_DATABASE_URL), makes the schema as the
baseline leaves it there and has `sqlmigrate` make each new migration's SQL. Takes seconds.

Usage: lint-migrations.py [--baseline FILE] [--write-baseline]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scripts" / "migration-lint-baseline.txt"
# Set for the run under scripts/with_postgres.py, whose server KLUIS_DATABASE_URL names.
ON_POSTGRES = "KLUIS_LINT_MIGRATIONS_ON_POSTGRES"


def read_baseline(path: Path) -> set[tuple[str, str]]:
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            app_label, name = line.split()
            entries.add((app_label, name))
    return entries


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    parser.add_argument(
        "--write-baseline",
        action="store_true",
        help="write every migration there is now into the baseline (once, when adopting)",
    )
    args = parser.parse_args(argv)

    scratch = tempfile.mkdtemp(prefix="kluis-lint-migrations-")
    os.environ["KLUIS_ENV"] = "test"
    on_postgres = os.environ.get(ON_POSTGRES) == "1"
    if not on_postgres:
        os.environ["KLUIS_DATABASE_URL"] = "sqlite://:memory:"
    os.environ["KLUIS_DATA_DIR"] = scratch
    for name in ("KLUIS_DATABASE_POOL", "KLUIS_REDIS_URL", "KLUIS_STORAGE_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kluis.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django_migration_linter import MigrationLinter
    from django_migration_linter.constants import DJANGO_APPS_WITH_MIGRATIONS

    executor = MigrationExecutor(connection)
    ours = sorted(
        key for key in executor.loader.disk_migrations if key[0] not in DJANGO_APPS_WITH_MIGRATIONS
    )
    if args.write_baseline:
        lines = [f"{app_label} {name}" for app_label, name in ours]
        header = "# Migrations made before the expand/contract rule: not linted (app name).\n"
        args.baseline.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
        print(f"{len(lines)} migrations written to {args.baseline}")
        return 0

    baseline = read_baseline(args.baseline)
    new = [key for key in ours if key not in baseline]
    if not new:
        print(f"Migrations: none new since the baseline ({len(baseline)} there), nothing to lint")
        return 0

    if not on_postgres:
        wrapper = [sys.executable, str(ROOT / "scripts" / "with_postgres.py"), "--"]
        env = {**os.environ, ON_POSTGRES: "1"}
        env.pop("KLUIS_DATABASE_URL", None)
        return subprocess.call([*wrapper, sys.executable, __file__, *argv], env=env)

    # The schema as the baseline leaves it (made from the migrations' model state, one
    # CREATE TABLE a model: running the 120 migrations takes half a minute), so that the new
    # migrations' SQL can be made where an operation looks at the schema.
    baseline_state = executor.loader.project_state(nodes=sorted(baseline), at_end=True)
    made: set[str] = set()
    with connection.schema_editor() as editor:
        for model in baseline_state.apps.get_models():
            meta = model._meta
            if meta.managed and not meta.proxy and meta.db_table not in made:
                editor.create_model(model)
                made.add(meta.db_table)

    class Linter(MigrationLinter):
        def should_ignore_migration(self, app_label: str, name: str, *a: Any, **k: Any) -> bool:
            if (app_label, name) in baseline:
                return True
            return super().should_ignore_migration(app_label, name, *a, **k)

    linter = Linter(no_cache=True, quiet=["ok", "ignore"])
    linter.lint_all_migrations()
    marked = linter.nb_ignored - len(baseline)
    checked = len(new) - marked
    if linter.has_errors:
        print(
            f"Migrations: {linter.nb_erroneous} of {checked} new ones are not backward "
            "compatible. Split them (expand now, contract in the next release) or mark one "
            "with IgnoreMigration() and a comment why (docs/operations.md, rolling upgrades)."
        )
        return 1
    print(
        f"Migrations: {checked} new, backward compatible; {marked} marked as checked by hand; "
        f"{len(baseline)} in the baseline"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
