"""A consistent snapshot of the running database to read the backup from.

SQLite: the online backup API copies the database into a temporary file (readers and
writers carry on; WAL), and everything is read from that copy, which is also the archive's
native dump. PostgreSQL: one REPEATABLE READ transaction exports its snapshot; pg_dump
(custom format) runs with --snapshot= of it while the rows are read in that same
transaction, so the native dump and the logical dump are one and the same moment.
"""

from __future__ import annotations

import glob
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from kluis.backups.errors import BackupError
from kluis.tenancy import rls


@dataclass
class Snapshot:
    vendor: str
    cursor: Any  # a DB-API cursor that sees the snapshot
    native: Path  # the native dump (SQLite copy or pg_dump custom format)
    native_tool: str
    table_names: set[str] = field(default_factory=set)
    _waiters: list[Any] = field(default_factory=list)

    def applied_migrations(self) -> dict[str, str]:
        """app label -> the last applied migration's name, as the snapshot records it."""
        self.cursor.execute('SELECT "app", "name" FROM "django_migrations"')
        applied: dict[str, list[str]] = {}
        for app, name in self.cursor.fetchall():
            applied.setdefault(str(app), []).append(str(name))
        return {app: max(names) for app, names in sorted(applied.items())}

    def finish(self) -> None:
        """Wait for the native dump (pg_dump) to be complete; raises when it failed."""
        for wait in self._waiters:
            wait()
        self._waiters.clear()


@contextmanager
def snapshot(workdir: Path, using: str = "default") -> Iterator[Snapshot]:
    connection = connections[using]
    connection.ensure_connection()
    if connection.vendor == "sqlite":
        with _sqlite_snapshot(connection, workdir) as snap:
            yield snap
    elif connection.vendor == "postgresql":
        with _postgres_snapshot(connection, workdir) as snap:
            yield snap
    else:
        raise BackupError(f"backups support SQLite and PostgreSQL, not {connection.vendor}")


@contextmanager
def _sqlite_snapshot(connection: BaseDatabaseWrapper, workdir: Path) -> Iterator[Snapshot]:
    copy_path = workdir / "kluis.sqlite3"
    source = connection.connection
    if connection.in_atomic_block:
        # Inside the caller's transaction (a test's): the backup API would wait for that
        # transaction's own lock; the connection's view of the database, serialised, is
        # the consistent copy then.
        copy_path.write_bytes(source.serialize())
    else:
        target = sqlite3.connect(copy_path)
        try:
            source.backup(target)
        finally:
            target.close()
    reader = sqlite3.connect(f"file:{copy_path}?mode=ro", uri=True)
    try:
        cursor = reader.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        names = {str(r[0]) for r in cursor.fetchall()}
        yield Snapshot("sqlite", cursor, copy_path, f"sqlite {sqlite3.sqlite_version}", names)
    finally:
        reader.close()


def pg_dump_path(server_version_num: int) -> str:
    """The pg_dump of the server's major version (an older client refuses a newer server)."""
    if settings.BACKUP_PG_DUMP:
        return str(settings.BACKUP_PG_DUMP)
    major = server_version_num // 10000
    exact = Path(f"/usr/lib/postgresql/{major}/bin/pg_dump")
    if exact.exists():
        return str(exact)
    on_path = shutil.which("pg_dump")
    if on_path:
        return on_path
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"))
    if found:
        return found[-1]
    raise BackupError(
        f"pg_dump not found: install the PostgreSQL {major} client "
        "(Debian: apt-get install postgresql-client) or set KLUIS_BACKUP_PG_DUMP"
    )


def _pg_environment(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """libpq settings for pg_dump: the password through PGPASSWORD, never the command line."""
    params = connection.settings_dict
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if params.get(key):
            env[name] = str(params[key])
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    options = params.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    env["PGDATABASE"] = str(params["NAME"])
    return env


@contextmanager
def _postgres_snapshot(connection: BaseDatabaseWrapper, workdir: Path) -> Iterator[Snapshot]:
    import psycopg

    raw = connection.get_new_connection(connection.get_connection_params())
    raw.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    raw.read_only = True
    process: subprocess.Popen[bytes] | None = None
    try:
        cursor = raw.cursor()
        # The backup reads every company: the tenant narrowing (row-level security) is off.
        cursor.execute("SELECT set_config(%s, '', true)", [rls.SETTING])
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version_num')")
        snapshot_id, version = cursor.fetchone()
        dump_path = workdir / "kluis.pgdump"
        program = pg_dump_path(int(version))
        errors = workdir / "pg_dump.err"
        with errors.open("wb") as err:
            process = subprocess.Popen(
                [
                    program,
                    "--format=custom",
                    f"--snapshot={snapshot_id}",
                    "--enable-row-security",
                    "--no-password",
                    f"--file={dump_path}",
                ],
                env=_pg_environment(connection),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=err,
            )
        running = process

        def wait() -> None:
            code = running.wait()
            if code != 0:
                message = errors.read_text(errors="replace").strip().splitlines()
                last = message[-1] if message else f"exit code {code}"
                raise BackupError(f"pg_dump failed: {last}")

        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        names = {str(r[0]) for r in cursor.fetchall()}
        tool = f"{Path(program).name} {_version(program)}"
        snap = Snapshot("postgresql", cursor, dump_path, tool, names, [wait])
        yield snap
        snap.finish()
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        raw.rollback()
        raw.close()


def _version(program: str) -> str:
    try:
        out = subprocess.run(
            [program, "--version"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except OSError:
        return ""
    return out.strip().rsplit(" ", 1)[-1]
