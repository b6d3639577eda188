"""Retention keeps 7 daily, 4 weekly and 12 monthly archives (the newest of each period)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kluis.backups.retention import to_keep

UTC = dt.UTC


def at(day: str, time: str = "02:00") -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{time}").replace(tzinfo=UTC)


def every_day(first: str, last: str, time: str = "02:00") -> list[dt.datetime]:
    start, end = at(first, time), at(last, time)
    return [start + dt.timedelta(days=n) for n in range((end - start).days + 1)]


def days_of(kept: set[dt.datetime]) -> list[str]:
    return sorted(k.date().isoformat() for k in kept)


def test_two_years_of_daily_backups_keep_7_days_4_weeks_and_12_months() -> None:
    kept = to_keep(every_day("2025-01-01", "2026-12-07"))  # 2026-12-07 is a Monday
    assert days_of(kept) == [
        "2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31",
        "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31",
        "2026-11-22", "2026-11-29", "2026-11-30",  # weeks end on Sunday; November's last
        "2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05",
        "2026-12-06", "2026-12-07",
    ]  # fmt: skip


def test_the_newest_of_several_a_day_is_the_days_archive() -> None:
    taken = [at("2026-12-07", t) for t in ("02:00", "09:30", "17:45")]
    taken += [at("2026-12-06", t) for t in ("02:00", "03:00")]
    assert to_keep(taken) == {at("2026-12-07", "17:45"), at("2026-12-06", "03:00")}


def test_fewer_archives_than_the_rules_allow_are_all_kept() -> None:
    taken = every_day("2026-12-01", "2026-12-05")
    assert to_keep(taken) == set(taken)
    assert to_keep([]) == set()


def test_a_pause_in_backups_never_deletes_the_last_ones_taken() -> None:
    # A month without backups, then one: the seven days before the pause stay.
    taken = [*every_day("2026-09-01", "2026-10-31"), at("2026-12-07")]
    kept = to_keep(taken)
    assert [d for d in days_of(kept) if d >= "2026-10-20"] == [
        "2026-10-25",  # a Sunday: the newest of its week
        "2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30", "2026-10-31",
        "2026-12-07",
    ]  # fmt: skip
    assert "2026-09-30" in days_of(kept)  # September's, by the monthly rule


def test_days_weeks_and_months_are_those_of_the_backup_time_zone() -> None:
    brussels = ZoneInfo("Europe/Brussels")
    # 23:30 UTC on 30 November is 00:30 on 1 December in Brussels: December's archive.
    late, early = at("2026-11-30", "23:30"), at("2026-11-30", "01:00")
    assert to_keep([late, early], tz=brussels, daily=0, weekly=0, monthly=12) == {late, early}
    assert to_keep([late, early], tz=UTC, daily=0, weekly=0, monthly=12) == {late}
    assert to_keep([late, early], tz=brussels, daily=2, weekly=0, monthly=0) == {late, early}
    assert to_keep([late, early], tz=UTC, daily=2, weekly=0, monthly=0) == {late}


def test_weekly_archives_are_the_newest_of_each_iso_week() -> None:
    # Backups every third day over ten weeks; the four newest weeks keep their newest.
    start = at("2026-09-28")  # a Monday
    taken = [start + dt.timedelta(days=3 * n) for n in range(24)]
    kept = to_keep(taken, daily=0, weekly=4, monthly=0)
    weeks = sorted({k.isocalendar()[1] for k in kept})
    assert len(kept) == 4 and weeks == sorted({t.isocalendar()[1] for t in taken})[-4:]
    for k in kept:
        same_week = [t for t in taken if t.isocalendar()[:2] == k.isocalendar()[:2]]
        assert k == max(same_week)
