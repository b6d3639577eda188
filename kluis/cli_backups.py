"""`kluis backup` and `kluis restore`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Add = Callable[..., argparse.ArgumentParser]


def register(add: Add) -> None:
    """Add this area's commands to the `kluis` parser (`add(name, summary, description)`)."""
    backup = add(
        "backup",
        "write an encrypted backup archive (database, stored files, manifest)",
        "Write a consistent, encrypted backup of this Kluis while it keeps serving: every "
        "table (logically, restorable on SQLite and PostgreSQL, and natively: the SQLite "
        "copy or pg_dump), every stored file and a manifest with checksums. Encrypted with "
        "the backup key (KLUIS_BACKUP_KEY or KLUIS_BACKUP_KEY_FILE); never holds the master "
        "key, which a restore needs as well.",
    )
    backup.add_argument(
        "--output",
        "-o",
        metavar="PATH|DIR",
        help="the archive's file name, or a directory for a timestamped name "
        "(default: <DATA_DIR>/backups/)",
    )
    backup.set_defaults(handler=cmd_backup)

    restore = add(
        "restore",
        "replace this Kluis's data with a backup archive's",
        "Restore an archive made by `kluis backup` into this Kluis's database and "
        "stored files (local disk or S3), from either database engine to either. Refuses a "
        "damaged archive, one encrypted for another key, one of a newer Kluis, and a "
        "database that holds companies or users unless --force. Needs the master key of the "
        "Kluis that made it.",
    )
    restore.add_argument("archive", metavar="ARCHIVE", help="the archive file")
    restore.add_argument(
        "--dry-run", action="store_true", help="say what would change; change nothing"
    )
    restore.add_argument(
        "--force", action="store_true", help="overwrite a database that is not empty"
    )
    restore.set_defaults(handler=cmd_restore)
    from kluis.cli_backup_ops import register_ops  # `kluis backups list|run`

    register_ops(add)


def _setup() -> None:
    from kluis.cli import setup_django

    setup_django()


def cmd_backup(args: argparse.Namespace) -> int:
    _setup()
    from django.core.management.base import CommandError

    from kluis.backups.commands import backup_lines, backup_to, target_path
    from kluis.backups.errors import BackupError

    try:
        path = target_path(args.output)
        manifest = backup_to(path)
    except BackupError as exc:
        raise CommandError(str(exc), returncode=1) from None
    for line in backup_lines(path, manifest):
        print(line)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    _setup()
    from pathlib import Path

    from django.core.management.base import CommandError

    from kluis.backups.commands import restore_lines
    from kluis.backups.errors import BackupError
    from kluis.backups.restore import restore_archive

    try:
        report = restore_archive(Path(args.archive), dry_run=args.dry_run, force=args.force)
    except BackupError as exc:
        raise CommandError(str(exc), returncode=1) from None
    for line in restore_lines(report):
        print(line)
    return 0
