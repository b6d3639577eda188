"""What `kluis backup` and `kluis restore` do, apart from parsing: write an archive to a
path atomically, and describe a restore (or a dry run) in lines for the operator."""

from __future__ import annotations

import os
from pathlib import Path

from kluis.backups.archive import create_backup, default_archive_path
from kluis.backups.errors import BackupError
from kluis.backups.manifest import Manifest
from kluis.backups.restore import RestoreReport


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"


def target_path(output: str | None) -> Path:
    """--output PATH (a file) or DIR (an existing directory: a timestamped name in it)."""
    if not output:
        return default_archive_path()
    path = Path(output).expanduser()
    if path.is_dir():
        return default_archive_path(path)
    if not path.parent.is_dir():
        raise BackupError(f"cannot write {path}: the directory {path.parent} does not exist")
    if path.exists():
        raise BackupError(f"{path} exists already: name a new file or a directory")
    return path


def backup_to(path: Path, *, progress: bool | None = None) -> Manifest:
    """Write the archive to a hidden file beside `path` (0600) and move it into place when
    complete: a half-written archive never carries the final name."""
    partial = path.with_name(f".{path.name}.partial")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            manifest = create_backup(out, progress=progress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def backup_lines(path: Path, manifest: Manifest) -> list[str]:
    return [
        f"Wrote {path} ({human_size(path.stat().st_size)}).",
        f"{manifest.total_rows} rows in {len(manifest.tables)} tables and "
        f"{len(manifest.files)} stored files ({human_size(manifest.total_file_bytes)}), "
        f"{manifest.vendor}, Kluis {manifest.kluis_version}, {manifest.created_at}.",
    ]


def restore_lines(report: RestoreReport) -> list[str]:
    manifest = report.manifest
    lines = [
        f"Archive of {manifest.created_at} (Kluis {manifest.kluis_version}, {manifest.vendor}): "
        f"{manifest.total_rows} rows in {len(manifest.tables)} tables, "
        f"{len(manifest.files)} stored files.",
    ]
    if report.dry_run:
        lines.append(
            f"Now: {report.companies_now} companies, {report.users_now} users."
            + (" A restore needs --force." if not report.empty_now else "")
        )
        changed = report.changed_tables
        if changed:
            lines.append("Tables whose row count would change (now -> archive):")
            width = max(len(t) for t in changed)
            for table, (now, archived) in sorted(changed.items()):
                lines.append(f"  {table.ljust(width)}  {now} -> {archived}")
        same = len(report.tables) - len(changed)
        lines.append(f"{same} tables keep their row count (their rows are replaced all the same).")
        lines.append(
            f"Stored files: {report.files_new} new, {report.files_changed} replaced, "
            f"{report.files_same} unchanged, {report.files_not_in_archive} not in the "
            "archive (left in place)."
        )
        lines.append("Dry run: nothing was changed.")
    else:
        lines.append(
            f"Restored in {report.seconds:.1f} s: the database now holds the archive's rows; "
            f"stored files: {report.files_new} written, {report.files_changed} replaced."
        )
        lines.append("Check it with `kluis audit verify`.")
    return lines
