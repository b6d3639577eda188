"""Yearly entitlements in hours, as worked examples (kluis.timeoff.law.entitlement).

2026 has 365 days, 2024 366. Belgium: the holiday year 2026 is earned in the service year
2025; a 38-hour week makes a day of a 5-day week 7.6 hours, so 20 days are 152 hours.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from kluis.timeoff.law.entitlement import (
    be_holiday_days,
    be_legal_holiday,
    nl_statutory,
    pro_rata_fixed,
)
from kluis.timeoff.law.schedule import WorkPeriod


def period(start: date, end: date | None, hours: str, *schedule: int | str) -> WorkPeriod:
    return WorkPeriod(start, end, D(hours), tuple(D(str(h)) for h in schedule))


OPEN = date(2020, 1, 1)
FULL_40 = (period(OPEN, None, "40"),)
FULL_38 = (period(OPEN, None, "38"),)
FOUR_FIFTHS_32 = (period(OPEN, None, "32", 8, 8, 8, 8, 0, 0, 0),)
FOUR_FIFTHS_30_4 = (period(OPEN, None, "30.4", "7.6", "7.6", "7.6", "7.6", 0, 0, 0),)
HALF_19 = (period(OPEN, None, "19"),)
FOUR_LONG_DAYS_38 = (period(OPEN, None, "38", "9.5", "9.5", 0, "9.5", "9.5", 0, 0),)


# --- The Netherlands: 4 x weekly hours a year, pro rata per calendar day (BW 7:634) ------

NL_ROWS = [
    # (year, periods, hours)  # how
    (2026, FULL_40, D("160.00")),  # 4 x 40
    (2026, FOUR_FIFTHS_32, D("128.00")),  # 4 x 32 (4 days of 8 h)
    (2026, FULL_38, D("152.00")),  # 4 x 38
    (2026, FOUR_LONG_DAYS_38, D("152.00")),  # 4 x 38: the days a week do not matter
    # Joiner on 1 April 2026 at 40 h: 1 April - 31 December is 275 days:
    # 160 x 275 / 365 = 120.5479 -> 120.55
    (2026, (period(date(2026, 4, 1), None, "40"),), D("120.55")),
    # Leaver on 30 September 2026 at 40 h: 1 January - 30 September is 273 days:
    # 160 x 273 / 365 = 119.6712 -> 119.67
    (2026, (period(OPEN, date(2026, 9, 30), "40"),), D("119.67")),
    # The same joiner in the leap year 2024: 275 of 366 days: 160 x 275 / 366 = 120.2186
    (2024, (period(date(2024, 4, 1), None, "40"),), D("120.22")),
    # Joiner 1 April and leaver 30 September, 24 h: 183 days: 96 x 183 / 365 = 48.1315
    (2026, (period(date(2026, 4, 1), date(2026, 9, 30), "24"),), D("48.13")),
    # Contract change on 1 July: 40 h for 181 days (Jan-Jun), 32 h for 184 days (Jul-Dec):
    # 4 x (40 x 181 + 32 x 184) / 365 = 4 x 13128 / 365 = 143.8685 (not 4 x 40 or 4 x 32)
    (
        2026,
        (period(OPEN, date(2026, 6, 30), "40"), period(date(2026, 7, 1), None, "32")),
        D("143.87"),
    ),
    # Employed the whole year in two periods with the same hours: as one, 4 x 40.
    (
        2026,
        (period(OPEN, date(2026, 3, 15), "40"), period(date(2026, 3, 16), None, "40")),
        D("160.00"),
    ),
    (2027, (period(OPEN, date(2026, 9, 30), "40"),), D("0.00")),  # left before the year
]


@pytest.mark.parametrize(("year", "periods", "hours"), NL_ROWS)
def test_nl_statutory(year: int, periods: tuple[WorkPeriod, ...], hours: D) -> None:
    assert nl_statutory(year, periods) == hours


# --- A company's "N days a year": N x (weekly hours / 5), pro rata per calendar day ------

FIXED_ROWS = [
    # (year, periods, days a year full time, hours)  # how
    (2026, FULL_40, D("25"), D("200.00")),  # 25 x 40 / 5
    (2026, FOUR_FIFTHS_32, D("25"), D("160.00")),  # 25 x 32 / 5 = 25 x 6.4 (20 days of 8 h)
    (2026, FULL_38, D("20"), D("152.00")),  # 20 x 7.6
    (2026, FOUR_LONG_DAYS_38, D("12"), D("91.20")),  # 12 x 38 / 5: the schedule does not count
    # Joiner 1 April 2026, 40 h: 200 x 275 / 365 = 150.6849
    (2026, (period(date(2026, 4, 1), None, "40"),), D("25"), D("150.68")),
    # Leaver 30 June 2024 (leap year), 40 h: 182 of 366 days: 160 x 182 / 366 = 79.5628
    (2024, (period(OPEN, date(2024, 6, 30), "40"),), D("20"), D("79.56")),
    # Half days a year (2.5) are allowed: 2.5 x 8
    (2026, FULL_40, D("2.5"), D("20.00")),
]


@pytest.mark.parametrize(("year", "periods", "days", "hours"), FIXED_ROWS)
def test_pro_rata_fixed(year: int, periods: tuple[WorkPeriod, ...], days: D, hours: D) -> None:
    assert pro_rata_fixed(year, periods, days) == hours


# --- Belgium: legal holiday of 2026 from the service year 2025 (white-collar) ------------

JOINED_2025 = {
    "apr": (period(date(2025, 4, 1), None, "38"),),
    "mid_mar": (period(date(2025, 3, 15), None, "38"),),
    "oct": (period(date(2025, 10, 1), None, "38"),),
    "dec": (period(date(2025, 12, 1), None, "38"),),
    "jul": (period(date(2025, 7, 1), None, "38"),),
}
JOINED_2026 = (period(date(2026, 3, 1), None, "38"),)
WORKED_JAN_SEP_2025 = (period(date(2025, 1, 1), date(2025, 9, 30), "38"),)
HALF_THEN_FULL_2025 = (
    period(date(2024, 1, 1), date(2025, 6, 30), "19"),
    period(date(2025, 7, 1), None, "38"),
)

BE_ROWS = [
    # (previous year periods, current periods, keyword arguments, hours)  # how
    # Full year at 38 h: 12 months -> 20 days x 7.6
    (FULL_38, FULL_38, {}, D("152.00")),
    # Full year at 40 h: 20 x 8
    (FULL_40, FULL_40, {}, D("160.00")),
    # Joined 1 April 2025: April-December 9 months -> 15 days x 7.6
    (JOINED_2025["apr"], JOINED_2025["apr"], {}, D("114.00")),
    # Joined 15 March 2025: 17/31 of March + 9 months = 9.55 -> whole months 9 -> 15 days
    (JOINED_2025["mid_mar"], JOINED_2025["mid_mar"], {}, D("114.00")),
    # Joined 1 October 2025: 3 months -> 5 days x 7.6
    (JOINED_2025["oct"], JOINED_2025["oct"], {}, D("38.00")),
    # Joined 1 December 2025: 1 month -> 2 days x 7.6
    (JOINED_2025["dec"], JOINED_2025["dec"], {}, D("15.20")),
    # Joined 1 March 2026: no service in 2025 -> nothing
    ((), JOINED_2026, {}, D("0.00")),
    # ... with a certificate of 12 days from the previous employer: 12 x 7.6
    ((), JOINED_2026, {"certificate_days": D("12")}, D("91.20")),
    # Joined 1 October 2025 (5 days) with a certificate of 15: 20 days x 7.6
    (JOINED_2025["oct"], JOINED_2025["oct"], {"certificate_days": D("15")}, D("152.00")),
    # Joined 1 July 2025 (6 months, 10 days) + certificate 12 = 22 -> capped at 20 x 7.6
    (JOINED_2025["jul"], JOINED_2025["jul"], {"certificate_days": D("12")}, D("152.00")),
    # Half time (19 h) in 2025, full time in 2026: 20 days of 19 / 5 = 3.8 h = 76 h
    # (10 full days: part-time service counts in full-time equivalent)
    (HALF_19, FULL_38, {}, D("76.00")),
    # 4/5 (30.4 h) both years: 20 x 30.4 / 5 = 121.6 = 4 weeks of their own pattern
    (FOUR_FIFTHS_30_4, FOUR_FIFTHS_30_4, {}, D("121.60")),
    # Full time in 2025, 4/5 in 2026: 20 x 7.6 = 152 capped at 4 weeks of 30.4 = 121.6
    (FULL_38, FOUR_FIFTHS_30_4, {}, D("121.60")),
    # 4/5 in 2025, full time in 2026: 20 x 6.08 = 121.6 (16 full days, not 20)
    (FOUR_FIFTHS_30_4, FULL_38, {}, D("121.60")),
    # Half time Jan-Jun, full time Jul-Dec 2025: 12 months; a day is worth
    # (6 x 3.8 + 6 x 7.6) / 12 = 5.7 h -> 20 x 5.7
    (HALF_THEN_FULL_2025, FULL_38, {}, D("114.00")),
    # Ill for months of 2025 in the first 12 months of illness: assimilated, the contract
    # months stay counted -> 20 days (the caller deducts nothing)
    (FULL_38, FULL_38, {"unassimilated_days": 0}, D("152.00")),
    # Ill since 1 July 2024: July-December 2025 (130 days) is past the first 12 months:
    # 12 - 130 / 21.67 = 12 - 5.9991 = 6.0009 -> 6 months -> 10 days x 7.6
    (FULL_38, FULL_38, {"unassimilated_days": 130}, D("76.00")),
    # One day more: 12 - 131 / 21.67 = 5.9548 -> 5 months -> 8 days x 7.6
    (FULL_38, FULL_38, {"unassimilated_days": 131}, D("60.80")),
    # Worked January-September 2025 (9 months) + 65 assimilated days outside it:
    # 9 + 65 / 21.67 = 11.9995 -> 11 months -> 18 days x 7.6 (a fraction of a month drops)
    (WORKED_JAN_SEP_2025, FULL_38, {"assimilated_days": 65}, D("136.80")),
    # ... + 66 days: 9 + 3.0457 = 12.05 -> capped at 12 months -> 20 days
    (WORKED_JAN_SEP_2025, FULL_38, {"assimilated_days": 66}, D("152.00")),
    # Only assimilated days (2 x 21.67 = 43.34): 2 months -> 3 days at today's 7.6 h
    ((), FULL_38, {"assimilated_days": D("43.34")}, D("22.80")),
    # Full year at 38 h, certificate of 5 more days: capped at 20 days
    (FULL_38, FULL_38, {"certificate_days": D("5")}, D("152.00")),
    # Left on 31 December 2025: no work pattern in 2026 -> nothing to take
    (
        (period(OPEN, date(2025, 12, 31), "38"),),
        (period(OPEN, date(2025, 12, 31), "38"),),
        {},
        D("0.00"),
    ),
]


@pytest.mark.parametrize(("previous", "current", "kwargs", "hours"), BE_ROWS)
def test_be_legal_holiday(
    previous: tuple[WorkPeriod, ...],
    current: tuple[WorkPeriod, ...],
    kwargs: dict[str, D],
    hours: D,
) -> None:
    assert be_legal_holiday(2026, previous, current, **kwargs) == hours  # type: ignore[arg-type]


def test_be_leap_service_year() -> None:
    # Service year 2024 (leap): joined 15 February 2024: 15/29 of February + 10 months =
    # 10.52 -> 10 months -> 17 days x 7.6 = 129.2
    joined = (period(date(2024, 2, 15), None, "38"),)
    assert be_legal_holiday(2025, joined, joined) == D("129.20")


@pytest.mark.parametrize(
    ("months", "days"),
    [
        (0, 0),
        (1, 2),
        (2, 3),
        (3, 5),
        (4, 7),
        (5, 8),
        (6, 10),
        (7, 12),
        (8, 13),
        (9, 15),
        (10, 17),
        (11, 18),
        (12, 20),
        (13, 20),
    ],
)
def test_be_white_collar_table(months: int, days: int) -> None:
    assert be_holiday_days(months) == days


def test_be_refuses_negative_inputs() -> None:
    with pytest.raises(ValueError, match="certificate"):
        be_legal_holiday(2026, FULL_38, FULL_38, certificate_days=D("-1"))
    with pytest.raises(ValueError, match="negative"):
        be_legal_holiday(2026, FULL_38, FULL_38, assimilated_days=-1)
