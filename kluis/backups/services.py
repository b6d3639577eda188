"""Taking a backup to every destination, verifying it, and keeping 7 daily, 4 weekly and
12 monthly archives: the work of the worker's daily job and of `kluis backups run`.

Each step is recorded on a `BackupRun` as it ends (nothing is held in a transaction while
the archive is made: SQLite's online backup and pg_dump read the live database). A failed
run e-mails the operators (alerts.py) and turns /health/ready's backups component to
degraded (health.py)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.platform import record_operator
from kluis.backups import alerts, destinations, retention, timing
from kluis.backups.destinations import Destination, DestinationError, archive_name, taken_at
from kluis.backups.models import BackupRun
from kluis.operations.models import WorkerHeartbeat

logger = logging.getLogger("kluis.backups")

SUFFIX = "kluisbackup"
MAX_PROBLEMS = 50
INTERRUPTED = "interrupted: the worker stopped while taking it"


def backup_timezone() -> ZoneInfo:
    return ZoneInfo(settings.BACKUP_TIMEZONE)


def _one_line(text: str, limit: int = 500) -> str:
    return " ".join(str(text).split())[:limit]


def _error_of(exc: BaseException) -> str:
    """What the run records and the operators read: our own errors in full (they name no
    secret and no person), an OSError with its reason, anything else by its type only."""
    from kluis.backups.archive import BackupError

    if isinstance(exc, BackupError | DestinationError):
        return _one_line(str(exc))
    if isinstance(exc, OSError):
        return _one_line(f"{type(exc).__name__}: {exc.strerror or exc}")
    return type(exc).__name__


def summary_of(manifest: Any) -> dict[str, Any]:
    """Counts only: the database vendor, how many migrations, rows per table, files."""
    tables = {table: int(info.get("rows", 0)) for table, info in manifest.tables.items()}
    return {
        "vendor": manifest.vendor,
        "migrations": len(manifest.migrations),
        "tables": tables,
        "rows": sum(tables.values()),
        "files": len(manifest.files),
    }


def _work_file() -> Path:
    work = settings.DATA_DIR / "backups-work"
    work.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, path = tempfile.mkstemp(prefix="kluis-backup-", suffix=f".{SUFFIX}", dir=work)
    os.close(handle)
    return Path(path)


def take_backup(*, trigger: str = BackupRun.MANUAL, slot: str | None = None) -> BackupRun:
    """Make an archive, store it in every configured destination, verify it by restoring it
    into a scratch database, then apply retention. Returns the recorded run; raises
    IntegrityError when `slot` was claimed by another worker (nothing is done then)."""
    with transaction.atomic():
        run = BackupRun.objects.create(trigger=trigger, slot=slot, started_at=timezone.now())
    work: Path | None = None
    try:
        targets = destinations.configured()
        work = _work_file()
        _make(run, work)
        _store(run, work, targets)
        if run.destinations:
            _verify(run, work)
        if run.good:
            run.pruned = prune(targets, keep_also={run.archive_name})
    except Exception as exc:
        run.ok = False
        run.error = _one_line(f"{run.error}; {_error_of(exc)}".strip("; "))
        logger.error("backup failed: %s", run.error, exc_info=not _known(exc))
    finally:
        if work is not None:
            work.unlink(missing_ok=True)
    if run.ok is None:
        run.ok = False
    run.finished_at = run.finished_at or timezone.now()
    _record(run, trigger)
    if not run.good:
        alerts.backup_failed(run)
    else:
        logger.info("backup %s stored in %s and verified", run.archive_name, run.destinations)
    return run


def _record(run: BackupRun, trigger: str) -> None:
    """Save the outcome and append it to the operators' log in one transaction: what was
    stored where, whether it verified, which archives retention deleted."""
    label = "scheduled backup" if trigger == BackupRun.SCHEDULED else "kluis backups run"
    with transaction.atomic():
        run.save()
        record_operator(
            Actor.system(label),
            "backups.taken" if run.good else "backups.failed",
            object_type="backups.backuprun",
            object_id=run.pk,
            object_repr=run.archive_name or "backup",
            changes={
                "ok": run.ok,
                "verified": run.verified,
                "destinations": run.destinations,
                "size_bytes": run.size_bytes,
                "error": run.error,
                "deleted": run.pruned,
            },
        )


def _known(exc: BaseException) -> bool:
    from kluis.backups.archive import BackupError

    return isinstance(exc, BackupError | DestinationError | OSError)


def _make(run: BackupRun, work: Path) -> None:
    from kluis.backups.archive import create_backup

    with work.open("wb") as out:
        manifest = create_backup(out, progress=False)
    run.archive_name = archive_name(run.started_at, SUFFIX)
    run.size_bytes = work.stat().st_size
    run.summary = summary_of(manifest)
    run.save(update_fields=["archive_name", "size_bytes", "summary"])


def _store(run: BackupRun, work: Path, targets: list[Destination]) -> None:
    """Into each destination; one that fails does not stop the others (redundancy), but
    the run is not ok unless every one took it."""
    failures = []
    for destination in targets:
        try:
            destination.put(run.archive_name, work)
        except DestinationError as exc:
            failures.append(_one_line(str(exc)))
        else:
            run.destinations = [*run.destinations, destination.label]
    run.ok = not failures
    run.error = "; ".join(failures)
    run.finished_at = timezone.now()
    run.save(update_fields=["destinations", "ok", "error", "finished_at"])


def _verify(run: BackupRun, work: Path) -> None:
    from kluis.backups.archive import verify_archive

    try:
        report = verify_archive(work)
    except Exception as exc:  # an archive that cannot even be opened did not verify
        run.verified, run.verify_problems = False, [_error_of(exc)]
    else:
        run.verified = bool(report.ok)
        run.verify_problems = [_one_line(p) for p in list(report.problems)[:MAX_PROBLEMS]]
    run.verified_at = timezone.now()
    run.save(update_fields=["verified", "verify_problems", "verified_at"])


def prune(targets: list[Destination], *, keep_also: set[str]) -> dict[str, list[str]]:
    """Delete from each destination the archives retention does not keep. Only archives a
    run of this installation recorded are considered (an archive `kluis backup` wrote, or
    anything else stored there, is left alone); one that failed verification never counts
    as a day's, week's or month's backup and is deleted."""
    recorded = dict(
        BackupRun.objects.exclude(archive_name="")
        .exclude(ok=None)
        .values_list("archive_name", "verified")
    )
    deleted: dict[str, list[str]] = {}
    for destination in targets:
        stored = {
            a.name: at
            for a in destination.list()
            if a.name in recorded and (at := taken_at(a.name)) is not None
        }
        good = [at for name, at in stored.items() if recorded[name]]
        kept = retention.to_keep(good, tz=backup_timezone())
        gone = sorted(
            name
            for name, at in stored.items()
            if name not in keep_also and (not recorded[name] or at not in kept)
        )
        for name in gone:
            destination.delete(name)
        if gone:
            logger.info("retention deleted %d archives from %s", len(gone), destination.label)
        deleted[destination.label] = gone
    return deleted


def fail_interrupted(now: dt.datetime) -> list[BackupRun]:
    """Runs still marked under way long after they began: their worker stopped. Recorded
    as failed (and the operators told) so the health check and the next attempt see it."""
    stale = list(BackupRun.objects.filter(ok=None, started_at__lt=now - timing.STALE_AFTER))
    for run in stale:
        run.ok, run.error, run.finished_at = False, INTERRUPTED, now
        _record(run, run.trigger)
        alerts.backup_failed(run)
    return stale


def run_if_due(now: dt.datetime | None = None) -> BackupRun | None:
    """The scheduled job: take the day's backup when it is due and this worker is the one
    that claims the attempt (several workers may ask in the same minute)."""
    if not settings.BACKUP_ENABLED:
        return None
    now = now or timezone.now()
    fail_interrupted(now)
    tz = backup_timezone()
    day, start = timing.current_slot(now, settings.BACKUP_HOUR, tz)
    attempts = [
        timing.Attempt(r.started_at, r.ok is not None)
        for r in BackupRun.objects.filter(slot__startswith=f"{day.isoformat()}#")
    ]
    good_since = BackupRun.objects.filter(started_at__gte=start, ok=True, verified=True).exists()
    settled = WorkerHeartbeat.objects.filter(
        started_at__lte=now - timing.SETTLED_AFTER, last_seen__gte=now - timing.SETTLED_AFTER
    ).exists()
    slot = timing.due_slot(
        now,
        hour=settings.BACKUP_HOUR,
        tz=tz,
        attempts=attempts,
        good_since=good_since,
        first=not BackupRun.objects.exists(),
        settled=settled,
    )
    if slot is None:
        return None
    try:
        return take_backup(trigger=BackupRun.SCHEDULED, slot=slot)
    except IntegrityError:
        return None  # another worker claimed this attempt
