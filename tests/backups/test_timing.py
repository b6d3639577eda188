"""The day's backup is due from the configured hour until a good one is taken; a failed
attempt is retried an hour later, three attempts a day at most."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kluis.backups.timing import Attempt, current_slot, due_slot

UTC = ZoneInfo("UTC")
BRUSSELS = ZoneInfo("Europe/Brussels")


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def due(now: str, *, attempts: tuple[Attempt, ...] = (), good: bool = False, tz=UTC, hour=2):  # type: ignore[no-untyped-def]
    return due_slot(utc(now), hour=hour, tz=tz, attempts=attempts, good_since=good)


def test_the_slot_is_the_day_whose_hour_last_came() -> None:
    assert current_slot(utc("2026-12-07T02:00"), 2, UTC)[0] == dt.date(2026, 12, 7)
    assert current_slot(utc("2026-12-07T01:59"), 2, UTC)[0] == dt.date(2026, 12, 6)
    # 02:00 in Brussels (winter) is 01:00 UTC.
    day, start = current_slot(utc("2026-12-07T01:30"), 2, BRUSSELS)
    assert day == dt.date(2026, 12, 7) and start == utc("2026-12-07T01:00")
    # Summer time: 02:00 in Brussels is 00:00 UTC.
    assert current_slot(utc("2026-07-01T00:10"), 2, BRUSSELS)[1] == utc("2026-07-01T00:00")


def test_due_at_the_hour_and_not_again_once_a_good_backup_is_taken() -> None:
    assert due("2026-12-07T02:00") == "2026-12-07#1"
    assert due("2026-12-07T02:00", good=True) is None
    assert due("2026-12-07T23:59", good=True) is None
    # Before the hour, yesterday's slot: taken yesterday, nothing to do.
    assert due("2026-12-07T01:45", good=True) is None


def test_a_worker_down_at_the_hour_takes_it_when_it_is_back() -> None:
    assert due("2026-12-07T14:30") == "2026-12-07#1"
    assert due("2026-12-07T00:30") == "2026-12-06#1"


def test_a_fresh_install_takes_its_first_once_a_worker_ran_for_an_hour() -> None:
    fresh = {"attempts": (), "good_since": False, "first": True, "hour": 2, "tz": UTC}
    assert due_slot(utc("2026-12-07T02:05"), settled=False, **fresh) is None  # type: ignore[arg-type]
    assert due_slot(utc("2026-12-07T14:30"), settled=False, **fresh) is None  # type: ignore[arg-type]
    assert due_slot(utc("2026-12-07T14:30"), settled=True, **fresh) == "2026-12-07#1"  # type: ignore[arg-type]


def test_a_failed_attempt_is_retried_an_hour_later_three_times_a_day_at_most() -> None:
    first = Attempt(utc("2026-12-07T02:00"), finished=True)
    assert due("2026-12-07T02:15", attempts=(first,)) is None
    assert due("2026-12-07T03:00", attempts=(first,)) == "2026-12-07#2"
    second = Attempt(utc("2026-12-07T03:00"), finished=True)
    third = Attempt(utc("2026-12-07T04:00"), finished=True)
    assert due("2026-12-07T05:00", attempts=(first, second)) == "2026-12-07#3"
    assert due("2026-12-07T23:00", attempts=(first, second, third)) is None
    # The next day starts afresh.
    assert due("2026-12-08T02:00") == "2026-12-08#1"


def test_an_attempt_under_way_is_waited_for_unless_its_worker_died() -> None:
    running = Attempt(utc("2026-12-07T02:00"), finished=False)
    assert due("2026-12-07T04:00", attempts=(running,)) is None
    assert due("2026-12-07T08:01", attempts=(running,)) == "2026-12-07#2"
