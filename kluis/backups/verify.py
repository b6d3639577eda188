"""Verifying an archive: restore it into a scratch SQLite database in a temporary directory
and compare every table's rows and checksum with the manifest."""

from __future__ import annotations

import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections, transaction
from django.db.utils import load_backend

from kluis.backups.container import open_archive
from kluis.backups.errors import BackupError
from kluis.backups.load import check_schema, compare, empty_all, insert_rows, migrate_to
from kluis.backups.manifest import Manifest


@dataclass
class VerifyReport:
    ok: bool
    problems: list[str] = field(default_factory=list)
    manifest: Manifest | None = None
    seconds: float = 0.0


@contextmanager
def scratch_sqlite() -> Iterator[str]:
    """A database alias for a new SQLite file in a temporary directory, removed afterwards."""
    alias = f"kluis_backup_scratch_{uuid.uuid4().hex[:12]}"
    with tempfile.TemporaryDirectory(prefix="kluis-verify-") as tmp:
        # Not added to the settings: a connection of its own, for this thread only.
        params = connections.configure_settings(
            {
                "default": {
                    "ENGINE": "django.db.backends.sqlite3",
                    "NAME": str(Path(tmp) / "scratch.sqlite3"),
                    # A scratch copy: no durability needed, only speed.
                    "OPTIONS": {
                        "init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"
                    },
                }
            }
        )["default"]
        wrapper = load_backend(params["ENGINE"]).DatabaseWrapper(params, alias)
        connections[alias] = wrapper
        try:
            yield alias
        finally:
            wrapper.close()
            del connections[alias]


def verify_archive(archive: Path, *, progress: bool | None = False) -> VerifyReport:
    """Decrypt and check the archive, restore it into a scratch database, compare."""
    started = time.monotonic()
    manifest: Manifest | None = None
    try:
        with open_archive(Path(archive)) as opened:
            manifest = opened.manifest
            check_schema(manifest)
            with scratch_sqlite() as alias:
                migrate_to(alias, manifest)
                with transaction.atomic(using=alias):
                    empty_all(alias)
                    insert_rows(alias, opened, progress)
                problems = compare(alias, manifest)
    except BackupError as exc:
        problems = [str(exc)]
    return VerifyReport(not problems, problems, manifest, time.monotonic() - started)
