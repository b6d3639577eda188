"""When the day's scheduled backup is due: a pure function of the clock and the attempts
made, so the rule is tested with any calendar (tests/backups/test_timing.py).

The day's backup is due from KLUIS_BACKUP_HOUR (in KLUIS_BACKUP_TIMEZONE) until a good one
(stored everywhere and verified) has been taken since then. A failed attempt is tried again
an hour later, at most three attempts a day, each e-mailing the operators; a worker killed
mid-backup leaves a run that counts as failed after six hours. A worker that was down at
the hour takes the day's backup when it is back. A fresh installation (no attempt yet)
takes its first once a worker has been running for an hour, whatever the hour, so that a
first start (or a test that starts Kluis) is not slowed down by a backup."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

ATTEMPTS_PER_DAY = 3
RETRY_AFTER = dt.timedelta(hours=1)
STALE_AFTER = dt.timedelta(hours=6)
SETTLED_AFTER = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Attempt:
    started_at: dt.datetime
    finished: bool


def current_slot(now: dt.datetime, hour: int, tz: ZoneInfo) -> tuple[dt.date, dt.datetime]:
    """The local day whose backup time last came, and that time (as an aware instant)."""
    local = now.astimezone(tz)
    day = local.date() if local.hour >= hour else local.date() - dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
    return day, start


def due_slot(
    now: dt.datetime,
    *,
    hour: int,
    tz: ZoneInfo,
    attempts: Sequence[Attempt],
    good_since: bool,
    first: bool = False,
    settled: bool = True,
) -> str | None:
    """The slot to claim ("<day>#<attempt>") when a backup is due now, else None.

    `attempts`: the scheduled attempts of the current slot's day; `good_since`: whether a
    good backup (scheduled or manual) was taken since the slot's time; `first`: no backup
    was ever attempted; `settled`: a worker has been running for SETTLED_AFTER."""
    day, _start = current_slot(now, hour, tz)
    if good_since or len(attempts) >= ATTEMPTS_PER_DAY or (first and not settled):
        return None
    if attempts:
        last = max(attempts, key=lambda a: a.started_at)
        if not last.finished and now - last.started_at < STALE_AFTER:
            return None  # under way
        if now - last.started_at < RETRY_AFTER:
            return None
    return f"{day.isoformat()}#{len(attempts) + 1}"
