"""Counting working days by arithmetic gives what timeoff's day-by-day walk gives."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest

from kluis.reports.workdays import weekday_count, working_days
from kluis.timeoff.law.schedule import WorkPeriod, hours_between

SCHEDULES = [
    WorkPeriod(dt.date(2024, 1, 1), None, Decimal("38")),
    WorkPeriod(dt.date(2024, 3, 15), dt.date(2026, 2, 10), Decimal("19"),
               tuple(Decimal(h) for h in ("7.6", "0", "7.6", "0", "3.8", "0", "0"))),
    WorkPeriod(dt.date(2025, 1, 1), None, Decimal("16"),
               tuple(Decimal(h) for h in ("0", "0", "0", "0", "8", "8", "0"))),
]  # fmt: skip
DAYS_OFF = (dt.date(2025, 1, 1), dt.date(2025, 4, 21), dt.date(2025, 5, 1), dt.date(2025, 12, 25))


def test_weekday_count():
    assert weekday_count(dt.date(2025, 3, 1), dt.date(2025, 3, 31), 0) == 5  # Mondays
    assert weekday_count(dt.date(2025, 3, 4), dt.date(2025, 3, 2), 0) == 0


@pytest.mark.parametrize("period", SCHEDULES)
def test_working_days_agree_with_hours_between(period):
    rng = random.Random(17)
    for _ in range(200):
        first = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(900))
        last = first + dt.timedelta(days=rng.randrange(70))
        walked = len(hours_between(first, last, [period], set(DAYS_OFF)))
        assert working_days(period, first, last, DAYS_OFF) == walked, (first, last)
