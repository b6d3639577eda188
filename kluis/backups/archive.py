"""Making a backup archive, and the public interface of the backups app.

    create_backup(out) -> Manifest        the encrypted archive of the running Kluis
    read_manifest(archive) -> Manifest    decrypts and checks an archive
    verify_archive(path) -> VerifyReport  restores into a scratch SQLite database and compares
    restore_archive(path, dry_run=, force=) -> RestoreReport

An archive holds the logical dump of every table (JSON lines per table, engine-neutral, so
it restores on SQLite and on PostgreSQL), the native dump (the SQLite copy or pg_dump's
custom format), every stored file (from MEDIA_ROOT or S3, as the storage holds it: sealed
under its company's data key) and a manifest. Never a master key: the
wrapped data keys are rows of the database, the keys that unwrap them stay with the
operator (docs/operations.md, docs/decisions/0022-backups.md).
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

import kluis
from kluis.backups.container import (
    OpenArchive,
    file_member,
    open_archive,
    sha256_file,
    table_member,
    write_archive,
)
from kluis.backups.errors import BackupError
from kluis.backups.keys import backup_keys
from kluis.backups.logical import Table, checksum_lines, dump_rows, read_table, tables
from kluis.backups.manifest import FORMAT, Manifest
from kluis.backups.progress import bar
from kluis.backups.restore import RestoreReport, restore_archive
from kluis.backups.snapshot import snapshot
from kluis.backups.verify import VerifyReport, verify_archive
from kluis.operations import storage

__all__ = [
    "FORMAT",
    "BackupError",
    "Manifest",
    "OpenArchive",
    "RestoreReport",
    "VerifyReport",
    "create_backup",
    "default_archive_path",
    "open_archive",
    "read_manifest",
    "restore_archive",
    "verify_archive",
]


def now_text() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def default_archive_path(directory: Path | None = None) -> Path:
    """<BACKUP_DIR>/kluis-YYYYmmddTHHMMSSZ.kluisbackup (the directory made 0700)."""
    folder = Path(directory or settings.BACKUP_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    return folder / f"kluis-{stamp}.kluisbackup"


def _stage_tables(
    snap_cursor: object, vendor: str, names: set[str], staging: Path, progress: bool | None
) -> dict[str, dict]:
    out: dict[str, dict] = {}
    specs = tables(existing=names)
    with bar(len(specs), "backup: tables", progress, unit="table") as tick:
        for table in specs:
            target = staging / table_member(table.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            with gzip.open(target, "wb", compresslevel=5) as handle:

                def lines(handle: gzip.GzipFile = handle, table: Table = table) -> Iterator[bytes]:
                    for line, canonical in dump_rows(table, read_table(snap_cursor, table, vendor)):
                        handle.write(line)
                        yield canonical

                rows, digest = checksum_lines(lines())
            out[table.name] = {
                "rows": rows,
                "sha256": digest,
                "pk": table.pk,
                "columns": [[c.name, c.kind, c.places] for c in table.columns],
            }
            tick.update(1)
    return out


def _stage_files(
    staging: Path, progress: bool | None
) -> tuple[dict[str, dict], list[tuple[str, Path]]]:
    """Every stored file as it lies in the storage (local disk or S3: sealed under its
    company's data key, see kluis/crypto/stored_files.py), copied while hashed (the copy
    is what is hashed)."""
    raw = storage.raw_storage()
    found = storage.all_names(raw)
    entries: dict[str, dict] = {}
    members: list[tuple[str, Path]] = []
    with bar(len(found), "backup: files", progress, unit="file") as tick:
        for relative in found:
            data = storage.read_raw(raw, relative)
            if data is None:
                continue  # removed while the backup ran
            copy = staging / file_member(relative)
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_bytes(data)
            size, digest = sha256_file(copy)
            entries[relative] = {"bytes": size, "sha256": digest}
            members.append((file_member(relative), copy))
            tick.update(1)
    return entries, members


def create_backup(
    out: BinaryIO, *, progress: bool | None = None, using: str = "default"
) -> Manifest:
    """Write an encrypted archive of the running Kluis to `out`; returns its manifest.
    (`using`: another database alias, for tests of a backup made on the other engine.)"""
    keys = backup_keys()
    created_at = now_text()
    with tempfile.TemporaryDirectory(prefix="kluis-backup-") as tmp:
        staging = Path(tmp)
        snapdir = staging / "snapshot"
        snapdir.mkdir()
        with snapshot(snapdir, using) as snap:
            migrations = snap.applied_migrations()
            table_entries = _stage_tables(
                snap.cursor, snap.vendor, snap.table_names, staging, progress
            )
            snap.finish()
            vendor = snap.vendor
            native_tool = snap.native_tool
            native_source = snap.native
        if vendor == "sqlite":
            native = staging / "native" / "kluis.sqlite3.gz"
            native.parent.mkdir()
            with native_source.open("rb") as src, gzip.open(native, "wb", compresslevel=1) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        else:
            native = staging / "native" / "kluis.pgdump"
            native.parent.mkdir()
            shutil.move(native_source, native)
        native_size, native_digest = sha256_file(native)
        file_entries, file_members = _stage_files(staging, progress)
        manifest = Manifest(
            format=FORMAT,
            kluis_version=kluis.__version__,
            created_at=created_at,
            vendor=vendor,
            migrations=migrations,
            tables=table_entries,
            files=file_entries,
            native={
                "name": native.name,
                "bytes": native_size,
                "sha256": native_digest,
                "tool": native_tool,
            },
        )
        members = [(table_member(t), staging / table_member(t)) for t in sorted(table_entries)]
        members.append((f"native/{native.name}", native))
        members.extend(file_members)
        write_archive(out, manifest, members, keys)
    return manifest


def read_manifest(archive: BinaryIO | Path) -> Manifest:
    """The manifest of an archive, after decrypting it and checking every member."""
    with open_archive(archive) as opened:
        return opened.manifest
