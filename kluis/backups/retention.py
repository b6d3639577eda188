"""Which archives to keep: the newest of each of the last 7 days, 4 weeks and 12 months
that have one (days, ISO weeks and months in the backup time zone), and always the newest.

A pure function of the instants, so it can be tested with any calendar; the scheduled
backup deletes what it does not keep from every destination (services.prune)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Iterable
from zoneinfo import ZoneInfo

DAILY, WEEKLY, MONTHLY = 7, 4, 12


def _day(at: dt.datetime) -> Hashable:
    return at.date()


def _week(at: dt.datetime) -> Hashable:
    year, week, _ = at.isocalendar()
    return (year, week)


def _month(at: dt.datetime) -> Hashable:
    return (at.year, at.month)


def to_keep(
    instants: Iterable[dt.datetime],
    *,
    tz: ZoneInfo | dt.tzinfo = dt.UTC,
    daily: int = DAILY,
    weekly: int = WEEKLY,
    monthly: int = MONTHLY,
) -> set[dt.datetime]:
    """The instants to keep. Periods count only when they have an archive, so a pause in
    backups never deletes the last ones taken before it."""
    newest_first = sorted(set(instants), reverse=True)
    keep: set[dt.datetime] = set(newest_first[:1])
    rules: list[tuple[int, Callable[[dt.datetime], Hashable]]] = [
        (daily, _day),
        (weekly, _week),
        (monthly, _month),
    ]
    for count, period_of in rules:
        seen: set[Hashable] = set()
        for at in newest_first:
            period = period_of(at.astimezone(tz))
            if period in seen:
                continue
            if len(seen) >= count:
                break
            seen.add(period)
            keep.add(at)  # the newest of its period: the list runs newest first
    return keep
