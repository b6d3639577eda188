"""What `kluis backups list` shows: the archives in each destination, newest first, with
their age, size and whether they were verified."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from kluis.backups.destinations import Destination, DestinationError, StoredArchive, taken_at
from kluis.backups.models import BackupRun


@dataclass(frozen=True)
class Listed:
    destination: str
    archive: StoredArchive
    taken_at: dt.datetime
    verified: bool | None  # None: no run of this installation recorded it


@dataclass(frozen=True)
class DestinationListing:
    label: str
    archives: list[Listed]
    error: str = ""


def listing(targets: list[Destination]) -> list[DestinationListing]:
    recorded = BackupRun.objects.exclude(archive_name="")
    verified = dict(recorded.values_list("archive_name", "verified"))
    out = []
    for destination in targets:
        try:
            stored = destination.list()
        except DestinationError as exc:
            out.append(DestinationListing(destination.label, [], str(exc)))
            continue
        rows = [
            Listed(destination.label, a, taken_at(a.name) or a.modified, verified.get(a.name))
            for a in stored
        ]
        rows.sort(key=lambda r: r.taken_at, reverse=True)
        out.append(DestinationListing(destination.label, rows))
    return out


def human_size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"  # pragma: no cover (the loop returns)


def human_age(at: dt.datetime, now: dt.datetime | None = None) -> str:
    seconds = max(0, int(((now or timezone.now()) - at).total_seconds()))
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"
