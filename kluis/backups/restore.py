"""Restoring an archive into this Kluis's database and its stored files (MEDIA_ROOT or S3).

The database is brought to the archive's schema state, emptied and filled with the
archive's rows in one transaction (read back and compared with the manifest before the
commit), then migrated forward to this code's schema. Works from either engine to either.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.contenttypes.models import ContentType
from django.core.cache import caches
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.db import transaction

from kluis.access.actor import Actor
from kluis.audit.platform import record_operator
from kluis.backups.container import OpenArchive, open_archive
from kluis.backups.errors import BackupError
from kluis.backups.load import (
    check_schema,
    compare,
    empty_all,
    insert_rows,
    migrate_to,
    reset_sequences,
    table_counts,
)
from kluis.backups.manifest import Manifest
from kluis.crypto.stored_files import seal_unsealed
from kluis.operations import storage

logger = logging.getLogger("kluis.backups")


@dataclass
class RestoreReport:
    manifest: Manifest
    dry_run: bool
    restored: bool = False
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # table -> (now, archive)
    companies_now: int = 0
    users_now: int = 0
    files_new: int = 0
    files_changed: int = 0
    files_same: int = 0
    files_not_in_archive: int = 0
    seconds: float = 0.0

    @property
    def empty_now(self) -> bool:
        return self.companies_now == 0 and self.users_now == 0

    @property
    def changed_tables(self) -> dict[str, tuple[int, int]]:
        return {t: c for t, c in self.tables.items() if c[0] != c[1]}


def _occupants(counts: dict[str, int]) -> tuple[int, int]:
    from django.contrib.auth import get_user_model

    from kluis.tenancy.models import Tenant

    return (
        counts.get(Tenant._meta.db_table, 0),
        counts.get(get_user_model()._meta.db_table, 0),
    )


def _checked(relative: str) -> str:
    try:
        return storage.checked_name(relative)
    except storage.StoredFileNameError:
        raise BackupError(
            f"the archive names a stored file outside the storage: {relative!r}"
        ) from None


def _compare_files(opened: OpenArchive, report: RestoreReport) -> None:
    raw = storage.raw_storage()
    archived = opened.manifest.files
    for relative, entry in archived.items():
        current = storage.read_raw(raw, _checked(relative))
        if current is None:
            report.files_new += 1
        elif hashlib.sha256(current).hexdigest() != entry["sha256"]:
            report.files_changed += 1
        else:
            report.files_same += 1
    report.files_not_in_archive = sum(
        1 for relative in storage.all_names(raw) if relative not in archived
    )


def _write_files(opened: OpenArchive) -> None:
    """Each file back as the archive holds it (sealed files stay sealed: they open with
    the restored data keys), through the storage: local disk or S3."""
    raw = storage.raw_storage()
    for relative, entry in opened.manifest.files.items():
        current = storage.read_raw(raw, _checked(relative))
        if current is not None and hashlib.sha256(current).hexdigest() == entry["sha256"]:
            continue
        data = opened.file_path(relative).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise BackupError(f"the archive is damaged: stored file {relative} changed")
        storage.write_raw(raw, relative, data)


def _seal_off_disk() -> None:
    """Files from before sealing open only from the local disk: on S3 (which never serves
    an unsealed file) they are sealed for their company, which the restored rows name."""
    raw = storage.raw_storage()
    if not isinstance(raw, FileSystemStorage):
        seal_unsealed(raw)


def restore_archive(
    archive: Path,
    *,
    dry_run: bool,
    force: bool,
    progress: bool | None = None,
    actor: Actor | None = None,
) -> RestoreReport:
    """Replace this Kluis's data with the archive's (or, dry_run, say what would change).

    Refuses a damaged archive, one of another key, one of a newer schema, and a database
    that holds companies or users unless `force`. The restore is an operator action in the
    platform's audit log (appended to the restored log), by `actor` (default: the CLI)."""
    started = time.monotonic()
    with open_archive(Path(archive)) as opened:
        manifest = opened.manifest
        check_schema(manifest)
        counts = table_counts()
        report = RestoreReport(manifest, dry_run)
        report.tables = {
            t: (counts.get(t, 0), int(entry["rows"])) for t, entry in manifest.tables.items()
        }
        report.companies_now, report.users_now = _occupants(counts)
        _compare_files(opened, report)
        if dry_run:
            report.seconds = time.monotonic() - started
            return report
        if not report.empty_now and not force:
            raise BackupError(
                f"the database is not empty ({report.companies_now} companies, "
                f"{report.users_now} users): a restore replaces everything in it; "
                "add --force to overwrite it (--dry-run shows what would change)"
            )
        migrate_to("default", manifest)
        with transaction.atomic():
            empty_all("default")
            insert_rows("default", opened, progress)
            problems = compare("default", manifest)
            if problems:
                raise BackupError(
                    "the restored rows do not match the archive, nothing was changed: "
                    + "; ".join(problems[:3])
                )
        reset_sequences("default")
        # Forward to this code's schema (and post_migrate: row-level security, content types).
        call_command("migrate", interactive=False, verbosity=0)
        _write_files(opened)
    _forget_caches()
    _seal_off_disk()  # after the caches: with the restored data keys
    report.restored = True
    report.seconds = time.monotonic() - started
    _record_restore(report, forced=force, actor=actor)
    logger.info(
        "backup restored",
        extra={
            "archive_created_at": manifest.created_at,
            "archive_vendor": manifest.vendor,
            "tables": len(manifest.tables),
            "rows": manifest.total_rows,
            "files": len(manifest.files),
        },
    )
    return report


def _forget_caches() -> None:
    """Nothing read before the restore may outlive it in this process."""
    from kluis.crypto import keyring, vault

    ContentType.objects.clear_cache()
    vault.forget_keys()
    for cache in caches.all(initialized_only=True):
        cache.clear()
    keyring.forget()


def _record_restore(report: RestoreReport, *, forced: bool, actor: Actor | None) -> None:
    """The operators' log gets the restore (what, never whose data)."""
    manifest = report.manifest
    with transaction.atomic():
        record_operator(
            actor or Actor.system("kluis restore"),
            "backup.restore",
            object_type="backup",
            object_id=manifest.created_at,
            object_repr=f"archive of {manifest.created_at}",
            changes={
                "archive_created_at": manifest.created_at,
                "archive_vendor": manifest.vendor,
                "archive_kluis_version": manifest.kluis_version,
                "tables": len(manifest.tables),
                "rows": manifest.total_rows,
                "files": len(manifest.files),
                "forced": forced,
            },
        )
