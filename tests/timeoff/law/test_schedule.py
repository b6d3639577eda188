"""Working hours from contracts, as worked examples (kluis.timeoff.law.schedule).

Dates in 2026 unless said: Monday 2 March 2026, Easter Monday 6 April 2026, 1 January 2027
is a Friday; 2024 is a leap year (366 days).
"""

from datetime import date
from decimal import Decimal as D

import pytest

from kluis.timeoff.law.schedule import (
    WorkPeriod,
    daily_hours,
    employed_days,
    hours_between,
    hours_per_day,
    hours_to_days,
    period_on,
    scheduled_hours,
    working_days_per_week,
)

H = D  # hours


def week(*hours: int | str) -> tuple[D, ...]:
    return tuple(D(str(h)) for h in hours)


FULL_40 = WorkPeriod(date(2020, 1, 1), None, D("40"))  # Monday to Friday, 8 h a day
FULL_38 = WorkPeriod(date(2020, 1, 1), None, D("38"))  # Monday to Friday, 7.6 h a day
FOUR_FIFTHS = WorkPeriod(date(2020, 1, 1), None, D("32"), week(8, 8, 8, 8, 0, 0, 0))
EVEN_32 = WorkPeriod(date(2020, 1, 1), None, D("32"))  # no schedule: 6.4 h Monday to Friday
# 38 h on four long days, Wednesday free.
FOUR_LONG_DAYS = WorkPeriod(
    date(2020, 1, 1), None, D("38"), week("9.5", "9.5", 0, "9.5", "9.5", 0, 0)
)
HALF_DAYS = WorkPeriod(date(2020, 1, 1), None, D("20"), week(4, 4, 4, 4, 4, 0, 0))
# A contract change on 1 July 2026: full time (40 h) until 30 June, then 4/5 (Mon-Thu 8 h).
CHANGE = (
    WorkPeriod(date(2024, 1, 1), date(2026, 6, 30), D("40")),
    WorkPeriod(date(2026, 7, 1), None, D("32"), week(8, 8, 8, 8, 0, 0, 0)),
)
JOINER = (WorkPeriod(date(2026, 4, 1), None, D("40")),)  # joins Wednesday 1 April 2026
LEAVER = (WorkPeriod(date(2020, 1, 1), date(2026, 9, 30), D("40")),)  # leaves Wed 30 Sep
EASTER_MONDAY = date(2026, 4, 6)
NEW_YEAR_2027 = date(2027, 1, 1)


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (FULL_40, week(8, 8, 8, 8, 8, 0, 0)),  # 40 / 5 = 8 on Mon-Fri
        (FULL_38, week("7.6", "7.6", "7.6", "7.6", "7.6", 0, 0)),  # 38 / 5 = 7.6
        (EVEN_32, week("6.4", "6.4", "6.4", "6.4", "6.4", 0, 0)),  # 32 / 5 = 6.4, no schedule
        (FOUR_FIFTHS, week(8, 8, 8, 8, 0, 0, 0)),  # the schedule as given
    ],
)
def test_daily_hours(period: WorkPeriod, expected: tuple[D, ...]) -> None:
    assert daily_hours(period) == expected


@pytest.mark.parametrize(
    ("day", "periods", "days_off", "expected"),
    [
        (date(2026, 3, 2), (FULL_40,), (), H("8")),  # Monday, 40 / 5
        (date(2026, 3, 7), (FULL_40,), (), H("0")),  # Saturday
        (date(2026, 3, 6), (FOUR_FIFTHS,), (), H("0")),  # Friday: the 4/5 day off
        (date(2026, 3, 5), (FOUR_FIFTHS,), (), H("8")),  # Thursday of a 4/5 week
        (date(2026, 3, 4), (FOUR_LONG_DAYS,), (), H("0")),  # Wednesday free on 4 long days
        (EASTER_MONDAY, (FULL_38,), (EASTER_MONDAY,), H("0")),  # a public holiday
        (date(2026, 3, 31), JOINER, (), H("0")),  # the day before joining
        (date(2026, 4, 1), JOINER, (), H("8")),  # the first day: Wednesday
        (date(2026, 9, 30), LEAVER, (), H("8")),  # the last day
        (date(2026, 10, 1), LEAVER, (), H("0")),  # the day after leaving
        (date(2026, 6, 26), CHANGE, (), H("8")),  # Friday before the change: full time
        (date(2026, 7, 3), CHANGE, (), H("0")),  # Friday after the change: 4/5, free
    ],
)
def test_scheduled_hours(
    day: date, periods: tuple[WorkPeriod, ...], days_off: tuple[date, ...], expected: D
) -> None:
    assert scheduled_hours(day, periods, frozenset(days_off)) == expected


def test_period_on_picks_the_period_that_covers_the_day() -> None:
    assert period_on(date(2026, 6, 30), CHANGE) == CHANGE[0]
    assert period_on(date(2026, 7, 1), CHANGE) == CHANGE[1]
    assert period_on(date(2019, 12, 31), (FULL_40,)) is None


@pytest.mark.parametrize(
    ("first", "last", "periods", "days_off", "parts", "total", "days"),
    [
        # A full week Mon 2 - Sun 8 March, full time: 5 x 8.
        (date(2026, 3, 2), date(2026, 3, 8), (FULL_40,), (), {}, H("40"), 5),
        # The same week on 4/5: Mon-Thu 4 x 8, Friday and the weekend ask nothing.
        (date(2026, 3, 2), date(2026, 3, 8), (FOUR_FIFTHS,), (), {}, H("32"), 4),
        # The same week with no schedule at 32 h: 5 x 6.4.
        (date(2026, 3, 2), date(2026, 3, 8), (EVEN_32,), (), {}, H("32"), 5),
        # Easter week Mon 6 - Fri 10 April at 38 h, Easter Monday off: 4 x 7.6.
        (EASTER_MONDAY, date(2026, 4, 10), (FULL_38,), (EASTER_MONDAY,), {}, H("30.4"), 4),
        # Wed 4 afternoon - Fri 6 morning, full time: 4 + 8 + 4.
        (
            date(2026, 3, 4),
            date(2026, 3, 6),
            (FULL_40,),
            (),
            {"first_part": "afternoon", "last_part": "morning"},
            H("16"),
            3,
        ),
        # One morning on a half-days contract: 4 / 2.
        (date(2026, 3, 4), date(2026, 3, 4), (HALF_DAYS,), (), {"last_part": "morning"}, H("2"), 1),
        # One afternoon, full time: 8 / 2.
        (
            date(2026, 3, 4),
            date(2026, 3, 4),
            (FULL_40,),
            (),
            {"first_part": "afternoon"},
            H("4"),
            1,
        ),
        # Across the year boundary: Mon 28 Dec 2026 - Tue 5 Jan 2027, 1 January off:
        # Mon-Thu 28-31 Dec 4 x 8 + Mon 4 and Tue 5 Jan 2 x 8 = 48 over 6 days.
        (date(2026, 12, 28), date(2027, 1, 5), (FULL_40,), (NEW_YEAR_2027,), {}, H("48"), 6),
        # Across the contract change, Mon 29 June - Fri 3 July: 29, 30 June full time 2 x 8,
        # Wed 1 and Thu 2 July on 4/5 2 x 8, Friday 3 July free: 32 over 4 days.
        (date(2026, 6, 29), date(2026, 7, 3), CHANGE, (), {}, H("32"), 4),
        # A leaver asking Mon 28 Sep - Fri 2 Oct: only Mon-Wed are employed, 3 x 8.
        (date(2026, 9, 28), date(2026, 10, 2), LEAVER, (), {}, H("24"), 3),
        # A whole weekend asks nothing.
        (date(2026, 3, 7), date(2026, 3, 8), (FULL_40,), (), {}, H("0"), 0),
    ],
)
def test_hours_between(
    first: date,
    last: date,
    periods: tuple[WorkPeriod, ...],
    days_off: tuple[date, ...],
    parts: dict[str, str],
    total: D,
    days: int,
) -> None:
    hours = hours_between(first, last, periods, frozenset(days_off), **parts)
    assert sum(hours.values(), D(0)) == total
    assert len(hours) == days
    assert all(value > 0 for value in hours.values())


def test_hours_between_each_day() -> None:
    # Thu 2 afternoon - Mon 6 April morning, Easter Monday off, full time 38 h:
    # Thursday 7.6 / 2, Friday 7.6, the weekend nothing, Monday a public holiday.
    assert hours_between(
        date(2026, 4, 2),
        EASTER_MONDAY,
        (FULL_38,),
        frozenset({EASTER_MONDAY}),
        first_part="afternoon",
        last_part="morning",
    ) == {date(2026, 4, 2): H("3.8"), date(2026, 4, 3): H("7.6")}


@pytest.mark.parametrize(
    ("first", "last", "parts", "message"),
    [
        (
            date(2026, 3, 4),
            date(2026, 3, 4),
            {"first_part": "afternoon", "last_part": "morning"},
            "one-day",
        ),
        (date(2026, 3, 5), date(2026, 3, 4), {}, "before it starts"),
        (date(2026, 3, 2), date(2026, 3, 4), {"first_part": "morning"}, "starts with"),
        (date(2026, 3, 2), date(2026, 3, 4), {"last_part": "afternoon"}, "ends with"),
    ],
)
def test_hours_between_refuses(
    first: date, last: date, parts: dict[str, str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        hours_between(first, last, (FULL_40,), **parts)


@pytest.mark.parametrize(
    ("period", "days", "per_day"),
    [
        (FULL_40, 5, H("8")),  # 40 / 5
        (FOUR_FIFTHS, 4, H("8")),  # 32 / 4
        (EVEN_32, 5, H("6.4")),  # 32 / 5
        (FOUR_LONG_DAYS, 4, H("9.5")),  # 38 / 4
        (HALF_DAYS, 5, H("4")),  # 20 / 5
    ],
)
def test_working_days_and_hours_per_day(period: WorkPeriod, days: int, per_day: D) -> None:
    assert working_days_per_week(period) == days
    assert hours_per_day(period) == per_day


@pytest.mark.parametrize(
    ("hours", "period", "days"),
    [
        (H("16"), FOUR_FIFTHS, D("2.00")),  # 16 x 4 / 32
        (H("30.4"), FULL_38, D("4.00")),  # 30.4 x 5 / 38
        (H("128"), FOUR_FIFTHS, D("16.00")),  # the Dutch 4/5 minimum: 128 x 4 / 32
        (H("10"), FOUR_LONG_DAYS, D("1.05")),  # 10 x 4 / 38 = 1.0526
    ],
)
def test_hours_to_days(hours: D, period: WorkPeriod, days: D) -> None:
    assert hours_to_days(hours, period) == days


@pytest.mark.parametrize(
    ("year", "periods", "days"),
    [
        (2026, (FULL_40,), 365),  # the whole year
        (2024, (FULL_40,), 366),  # a leap year
        (2026, JOINER, 275),  # 1 April - 31 December: 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 31
        (2026, LEAVER, 273),  # 1 January - 30 September: 31 + 28 + 31 + 30 + 31 + 30 + 31 + 31 + 30
        (2026, CHANGE, 365),  # two periods back to back
        (2027, LEAVER, 0),  # gone before the year
        # Overlapping periods (bad data) count a day once: January and January-February.
        (
            2026,
            (
                WorkPeriod(date(2026, 1, 1), date(2026, 1, 31), D("40")),
                WorkPeriod(date(2026, 1, 1), date(2026, 2, 28), D("40")),
            ),
            59,
        ),
    ],
)
def test_employed_days(year: int, periods: tuple[WorkPeriod, ...], days: int) -> None:
    assert employed_days(year, periods) == days


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"end": date(2025, 12, 31)}, "before it starts"),
        ({"hours_per_week": D("-1")}, "negative"),
        ({"weekly_schedule": week(8, 8, 8, 8, 8)}, "7 values"),
    ],
)
def test_work_period_refuses_bad_values(kwargs: dict[str, object], message: str) -> None:
    values: dict[str, object] = {
        "start": date(2026, 1, 1),
        "end": None,
        "hours_per_week": D("40"),
        "weekly_schedule": (),
    } | kwargs
    with pytest.raises(ValueError, match=message):
        WorkPeriod(**values)  # type: ignore[arg-type]


def test_from_contract_reads_the_stored_schedule() -> None:
    period = WorkPeriod.from_contract(date(2026, 1, 1), None, "30.40", [8, 8, "7.2", 7.2, 0, 0, 0])
    assert period.weekly_schedule == week(8, 8, "7.2", "7.2", 0, 0, 0)
    assert period.hours_per_week == D("30.40")
    assert WorkPeriod.from_contract(date(2026, 1, 1), None, 40, []).weekly_schedule == ()
