"""Counting working days fast: the days a contract's schedule asks hours on
(kluis.timeoff.law.schedule), public holidays and closing days left out.

`timeoff.law.schedule.hours_between` walks day by day; a year of 2,000 people is 730,000
steps. Here a stretch of one schedule is counted by arithmetic (how many Mondays, ... lie
in it) less its days off, and the same (schedule, stretch) is counted once: a company's
people share a few schedules and months. tests/reports/test_workdays.py checks it against
hours_between."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

from kluis.timeoff.law.schedule import WorkPeriod, daily_hours


def weekday_count(first: dt.date, last: dt.date, weekday: int) -> int:
    """How many days of `weekday` (0 = Monday) lie in first..last (inclusive)."""
    if last < first:
        return 0
    start = first + dt.timedelta(days=(weekday - first.weekday()) % 7)
    if start > last:
        return 0
    return (last - start).days // 7 + 1


@lru_cache(maxsize=8192)
def count(
    working: tuple[bool, ...], first: dt.date, last: dt.date, days_off: tuple[dt.date, ...]
) -> int:
    """The days in first..last whose weekday is a `working` one (Monday first), days off
    not counted."""
    if last < first:
        return 0
    days = sum(weekday_count(first, last, w) for w in range(7) if working[w])
    return days - sum(1 for day in days_off if first <= day <= last and working[day.weekday()])


def working_days(
    period: WorkPeriod, first: dt.date, last: dt.date, days_off: Sequence[dt.date]
) -> int:
    """The days in first..last (clipped to the period) its schedule asks hours on, days off
    (sorted, as a tuple for the cache) not counted."""
    start = max(first, period.start)
    end = last if period.end is None else min(last, period.end)
    if end < start:
        return 0
    working = tuple(hours > 0 for hours in daily_hours(period))
    return count(working, start, end, tuple(days_off))
