"""Putting an archive's rows into a database (the restore target or a scratch database):
migrate to the archive's schema state, empty every table, insert the rows, read them back."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader

from kluis.backups.container import OpenArchive
from kluis.backups.errors import BackupError
from kluis.backups.logical import (
    BATCH,
    Table,
    archived_table,
    checksum_lines,
    dump_rows,
    insert_sql,
    parse_line,
    read_table,
)
from kluis.backups.manifest import Manifest
from kluis.backups.progress import bar
from kluis.tenancy import rls


def check_schema(manifest: Manifest, alias: str = "default") -> None:
    """Refuse an archive of a schema this code does not know (made by a newer Kluis)."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    for app, name in sorted(manifest.migrations.items()):
        if (app, name) not in loader.graph.nodes:
            raise BackupError(
                f"the archive was made by a newer version of Kluis ({manifest.kluis_version}; "
                f"its schema has migration {app}.{name}, unknown to this version): upgrade "
                "Kluis to that version or later, then restore"
            )


def migrate_to(alias: str, manifest: Manifest) -> None:
    """Bring the database to exactly the archive's schema state (forwards on an empty one)."""
    connection = connections[alias]
    executor = MigrationExecutor(connection)
    graph_apps = {app for app, _name in executor.loader.graph.nodes}
    targets: list[tuple[str, str | None]] = [
        (app, manifest.migrations.get(app)) for app in sorted(graph_apps)
    ]
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)


def archive_tables(manifest: Manifest) -> list[Table]:
    return [archived_table(name, entry) for name, entry in sorted(manifest.tables.items())]


@contextmanager
def _unnarrowed(alias: str) -> Iterator[None]:
    if alias == "default":
        with rls.unnarrowed():
            yield
    else:
        yield


def empty_all(alias: str) -> None:
    connection = connections[alias]
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with _unnarrowed(alias):
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), names))


def insert_rows(alias: str, opened: OpenArchive, progress: bool | None) -> None:
    """Every row of the archive, inside the caller's transaction. Foreign keys are deferred
    to the commit (Django makes them DEFERRABLE INITIALLY DEFERRED on both engines), so
    tables go in any order; the audit chain heads are rows like any other (their trigger
    moves a head only forward, never past the archived one)."""
    connection = connections[alias]
    vendor = connection.vendor
    quote = connection.ops.quote_name
    manifest = opened.manifest
    total = manifest.total_rows
    present = set(connection.introspection.table_names())
    with (
        _unnarrowed(alias),
        connection.cursor() as cursor,
        bar(total, "restore: rows", progress) as tick,
    ):
        for table in archive_tables(manifest):
            if table.name not in present:
                raise BackupError(
                    f"table {table.name} of the archive is missing from the migrated database"
                )
            sql = insert_sql(table, vendor, quote)
            batch: list[tuple[Any, ...]] = []
            for line in opened.table_lines(table.name):
                batch.append(parse_line(table, line, vendor))
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    tick.update(len(batch))
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                tick.update(len(batch))


def reset_sequences(alias: str) -> None:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the highest inserted id by itself
    from django.apps import apps

    models = [m for m in apps.get_models(include_auto_created=True) if m._meta.managed]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with _unnarrowed(alias), connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def compare(alias: str, manifest: Manifest) -> list[str]:
    """Read every archived table back from the database: rows and checksum as archived?"""
    problems = []
    connection = connections[alias]
    with _unnarrowed(alias), connection.cursor() as cursor:
        for table in archive_tables(manifest):
            read = dump_rows(table, read_table(cursor, table, connection.vendor))
            rows, digest = checksum_lines(canonical for _line, canonical in read)
            entry = manifest.tables[table.name]
            if rows != entry["rows"]:
                problems.append(f"{table.name}: {rows} rows, the archive has {entry['rows']}")
            elif digest != entry["sha256"]:
                problems.append(f"{table.name}: the rows differ from the archive's (checksum)")
    return problems


def table_counts(alias: str = "default") -> dict[str, int]:
    """Rows now in each table of the database (for a dry run)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    names = connection.introspection.django_table_names(only_existing=True, include_views=False)
    out = {}
    with _unnarrowed(alias), connection.cursor() as cursor:
        for name in sorted(names):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")  # noqa: S608 (a table name)
            out[name] = int(cursor.fetchone()[0])
    return out
