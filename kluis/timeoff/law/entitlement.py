"""Yearly leave entitlements in hours, from the contracts (rules as data, docs/leave-law.md).

Every function works on exact fractions and rounds once, at the end, to 2 decimals
(ROUND_HALF_UP), so a year cut into several contract periods gives the same hours as the
same time in one period.

- `pro_rata_fixed`: a company's "N days a year" leave type.
- `nl_statutory`: the Dutch statutory minimum (BW 7:634).
- `be_legal_holiday`: the Belgian legal holiday (white-collar rules, simplified as listed
  in its docstring).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import floor

from kluis.timeoff.law.schedule import (
    CENT,
    FIVE_DAY_WEEK,
    WorkPeriod,
    days_in_year,
    period_on,
    segments_in,
)

# Belgium, white-collar: months of service in the holiday service year -> holiday days on a
# 5-day week (the official table; a full year gives 20 days, 4 weeks).
BE_MONTHS_TO_DAYS: dict[int, int] = {
    0: 0,
    1: 2,
    2: 3,
    3: 5,
    4: 7,
    5: 8,
    6: 10,
    7: 12,
    8: 13,
    9: 15,
    10: 17,
    11: 18,
    12: 20,
}
BE_MAX_DAYS = 20
# Days of a 5-day week that make one month, to turn assimilated days into months.
BE_DAYS_PER_MONTH = Decimal("21.67")
# The Dutch statutory minimum: this many times the agreed weekly hours a year.
NL_WEEKS_PER_YEAR = 4


def to_hours(value: Fraction) -> Decimal:
    """An exact number of hours rounded to 2 decimals, half up."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(CENT, rounding=ROUND_HALF_UP)


def _year_segments(year: int, periods: Sequence[WorkPeriod]) -> list[tuple[WorkPeriod, int]]:
    """(period, calendar days of `year` it covers) for each period overlapping `year`."""
    return [
        (period, (end - start).days + 1)
        for period, start, end in segments_in(date(year, 1, 1), date(year, 12, 31), periods)
    ]


def _weekly_hours_times_year_fraction(year: int, periods: Sequence[WorkPeriod]) -> Fraction:
    """Sum over the periods of hours a week x (days of the period in `year` / days in the
    year): the year's average weekly hours, counting time not employed as 0."""
    total = sum(
        (Fraction(period.hours_per_week) * days for period, days in _year_segments(year, periods)),
        Fraction(0),
    )
    return total / days_in_year(year)


def pro_rata_fixed(
    year: int, periods: Sequence[WorkPeriod], days_per_year_full_time: Decimal
) -> Decimal:
    """A company leave type of "N days a year", in hours for `year`.

    N days means N days of a full-time week worked over 5 days, scaled to the contract:
    a day is worth hours a week / 5, whatever the schedule, so a 4/5 contract of 32 hours
    gets N x 6.4 hours (N x 4/5 days of 8 hours, the same share of the year's working time
    as a full-timer's N days) and a 4-day schedule of 38 hours gets N x 7.6 hours. For part
    of a year it is pro rata per calendar day employed:

        hours = sum over periods of N x (hours a week / 5) x days in year / days of the year

    rounded once to 2 decimals (half up).
    """
    per_day = _weekly_hours_times_year_fraction(year, periods) / FIVE_DAY_WEEK
    return to_hours(Fraction(days_per_year_full_time) * per_day)


def nl_statutory(year: int, periods: Sequence[WorkPeriod]) -> Decimal:
    """The Dutch statutory minimum leave of `year` in hours (BW 7:634): 4 x the agreed
    weekly working hours for a full year, pro rata per calendar day employed:

        hours = sum over periods of 4 x hours a week x days in year / days of the year

    rounded once to 2 decimals (half up). Leave accrues in full during illness (BW 7:635),
    so sickness does not reduce it.
    """
    return to_hours(NL_WEEKS_PER_YEAR * _weekly_hours_times_year_fraction(year, periods))


def _months_of_service(year: int, periods: Sequence[WorkPeriod]) -> tuple[Fraction, Fraction]:
    """(months covered, month-weighted hours of a 5-day-week day) in `year`.

    Each calendar month counts as the share of its days a period covers (a whole month is
    1; 10 days of a 30-day month 1/3); the second number adds, for the same shares, the
    hours of one day of a 5-day week in that period (hours a week / 5), so dividing it by
    the first gives the average hours of a holiday day earned in that year.
    """
    months = Fraction(0)
    weighted = Fraction(0)
    for month in range(1, 13):
        first = date(year, month, 1)
        last = (date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)) - timedelta(1)
        month_days = last.day
        for period, start, end in segments_in(first, last, periods):
            share = Fraction((end - start).days + 1, month_days)
            months += share
            weighted += share * Fraction(period.hours_per_week) / FIVE_DAY_WEEK
    return months, weighted


def be_holiday_days(months: Fraction) -> int:
    """Holiday days for a number of months of service: whole months only (a fraction of a
    month is dropped), at most 12, through the white-collar table."""
    whole = max(0, min(12, floor(months)))
    return BE_MONTHS_TO_DAYS[whole]


def be_legal_holiday(
    year: int,
    previous_year_periods: Sequence[WorkPeriod],
    current_periods: Sequence[WorkPeriod],
    *,
    assimilated_days: int | Decimal = 0,
    certificate_days: Decimal | None = None,
    unassimilated_days: int | Decimal = 0,
) -> Decimal:
    """The Belgian legal holiday of `year` in hours, earned in the service year `year`-1
    (white-collar rules, private sector).

    1. Months of service in `year`-1: each calendar month counts for the share of its days
       a contract in `previous_year_periods` covers (whole months 1, a part month its days
       / the month's days), summed over the year. `assimilated_days` (days of a 5-day week
       that count as worked though not covered by those periods) add, and
       `unassimilated_days` (days of a 5-day week inside those periods that were neither
       worked nor assimilated: illness after its first 12 months, unpaid leave) subtract,
       at 21.67 days a month. Illness in its first 12 months, maternity and birth leave are
       assimilated: inside a contract they simply stay counted.
    2. The months are rounded DOWN to whole months (a fraction of a month does not count),
       capped at 12, and the white-collar table turns them into days of a 5-day week:
       1:2 2:3 3:5 4:7 5:8 6:10 7:12 8:13 9:15 10:17 11:18 12:20.
    3. A day is worth the hours of one day of a 5-day week in the service year (hours a
       week / 5, averaged over the months by their shares): a part-timer's year earns the
       same number of days of their shorter work, so part-time in `year`-1 counts in
       full-time equivalent (a half-time year gives 20 half days = 10 full days).
    4. A joiner's holiday certificate from the previous employer (`certificate_days`, the
       days it shows for `year`) adds days at the hours of a day of the current work
       pattern; days from the service year and the certificate together are capped at 20.
    5. The result is capped at 4 weeks of the work pattern that applies in `year` (the
       period on 1 January, or the first period in `year` for a joiner): 4 x hours a week.
       A full-timer who goes 4/5 keeps 4 weeks of the 4/5 pattern (4 x 30.4 hours).

    No period in `year`: 0 (nothing to take leave from). Rounded once to 2 decimals.

    Simplifications (docs/leave-law.md): a 5-day week (the 24 days of a 6-day week are the
    same 4 weeks in hours); the caller counts assimilated and unassimilated days; the
    supplementary ("European") holidays of starters and the carry-over of days lost to
    illness are not computed here; the pattern of 1 January applies to the whole year
    (the law converts at the time leave is taken).
    """
    if assimilated_days < 0 or unassimilated_days < 0:
        raise ValueError("assimilated and unassimilated days cannot be negative")
    current = period_on(date(year, 1, 1), current_periods)
    if current is None:
        in_year = segments_in(date(year, 1, 1), date(year, 12, 31), current_periods)
        if not in_year:
            return Decimal("0.00")
        current = in_year[0][0]
    current_day = Fraction(current.hours_per_week) / FIVE_DAY_WEEK

    months, weighted = _months_of_service(year - 1, previous_year_periods)
    per_month = Fraction(BE_DAYS_PER_MONTH)
    adjusted = months + (Fraction(assimilated_days) - Fraction(unassimilated_days)) / per_month
    service_days = be_holiday_days(adjusted)
    # The hours of a day earned: the service year's average; only assimilated days: now.
    service_day = weighted / months if months > 0 else current_day
    certificate = Fraction(certificate_days) if certificate_days is not None else Fraction(0)
    if certificate < 0:
        raise ValueError("a holiday certificate cannot show negative days")
    certificate = min(certificate, Fraction(BE_MAX_DAYS - service_days))
    hours = service_days * service_day + certificate * current_day
    return to_hours(min(hours, BE_MAX_DAYS * current_day))
