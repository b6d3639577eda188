"""Working time from contracts: the hours a day asks of an employee, in pure arithmetic.

A contract period (`WorkPeriod`, one `people.Employment`) gives agreed hours a week and,
optionally, the hours per weekday (Monday first). Without a schedule the week's hours are
spread evenly over Monday to Friday. Leave is kept in hours: a day of leave takes the hours
the employee would have worked that day, so a part-timer's short day takes fewer hours, a
day they do not work takes none, and a public holiday or company closing day takes none.

Everything here is exact `Decimal` arithmetic (a week's hours divided by 5 or halved always
terminates); `hours_per_day` and `hours_to_days` are the only places that divide by a number
of days, for showing hours as days.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

WEEKDAYS = 7
FIVE_DAY_WEEK = 5
ZERO = Decimal("0")
HALF = Decimal("0.5")
CENT = Decimal("0.01")

# The parts of a day a leave request may start or end with.
FULL = "full"
MORNING = "morning"
AFTERNOON = "afternoon"
FIRST_PARTS = (FULL, AFTERNOON)
LAST_PARTS = (FULL, MORNING)


@dataclass(frozen=True)
class WorkPeriod:
    """One contract period (from `people.Employment`).

    `end` is inclusive; None is open-ended. `weekly_schedule` holds 7 values, Monday
    first, or is empty: then `hours_per_week` is spread evenly over Monday to Friday.
    """

    start: date
    end: date | None
    hours_per_week: Decimal
    weekly_schedule: tuple[Decimal, ...] = ()

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"a work period ends ({self.end}) before it starts ({self.start})")
        if self.hours_per_week < 0:
            raise ValueError("hours per week cannot be negative")
        if self.weekly_schedule and len(self.weekly_schedule) != WEEKDAYS:
            raise ValueError("a weekly schedule has 7 values, Monday first")
        if any(hours < 0 for hours in self.weekly_schedule):
            raise ValueError("a weekly schedule cannot hold negative hours")

    @classmethod
    def from_contract(
        cls,
        start: date,
        end: date | None,
        hours_per_week: Decimal | int | str,
        weekly_schedule: Iterable[object] | None = None,
    ) -> WorkPeriod:
        """A period from a contract's stored values (the schedule as stored in JSON:
        numbers or numeric strings; an empty list or None means Monday to Friday)."""
        schedule = tuple(Decimal(str(value)) for value in (weekly_schedule or ()))
        return cls(start, end, Decimal(str(hours_per_week)), schedule)

    def covers(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def daily_hours(period: WorkPeriod) -> tuple[Decimal, ...]:
    """The hours of each weekday (7 values, Monday first)."""
    if period.weekly_schedule:
        return period.weekly_schedule
    per_day = period.hours_per_week / FIVE_DAY_WEEK
    return (per_day,) * FIVE_DAY_WEEK + (ZERO, ZERO)


def period_on(day: date, periods: Sequence[WorkPeriod]) -> WorkPeriod | None:
    """The period that covers `day` (the latest-starting one should periods overlap)."""
    found: WorkPeriod | None = None
    for period in periods:
        if period.covers(day) and (found is None or period.start > found.start):
            found = period
    return found


def scheduled_hours(
    day: date, periods: Sequence[WorkPeriod], days_off: Container[date] = frozenset()
) -> Decimal:
    """The hours `day` asks: 0 outside employment, on a day off (a public holiday or a
    company closing day) and on a weekday the schedule leaves free."""
    if day in days_off:
        return ZERO
    period = period_on(day, periods)
    if period is None:
        return ZERO
    return daily_hours(period)[day.weekday()]


def working_days_per_week(period: WorkPeriod) -> int:
    """The weekdays with hours."""
    return sum(1 for hours in daily_hours(period) if hours > 0)


def hours_per_day(period: WorkPeriod) -> Decimal:
    """The average hours of a working day (hours a week / working days a week), for
    showing hours as days; 0 for a period without working days."""
    days = working_days_per_week(period)
    if days == 0:
        return ZERO
    return period.hours_per_week / days


def hours_to_days(hours: Decimal, period: WorkPeriod) -> Decimal:
    """`hours` shown as working days of `period`, rounded to 2 decimals."""
    days = working_days_per_week(period)
    if days == 0 or period.hours_per_week == 0:
        return ZERO.quantize(CENT)
    return (hours * days / period.hours_per_week).quantize(CENT, rounding=ROUND_HALF_UP)


def hours_between(
    first: date,
    last: date,
    periods: Sequence[WorkPeriod],
    days_off: Container[date] = frozenset(),
    *,
    first_part: str = FULL,
    last_part: str = FULL,
) -> dict[date, Decimal]:
    """The hours leave from `first` to `last` (inclusive) takes on each day; days that ask
    no hours are left out.

    `first_part` "afternoon" takes half of the first day's hours, `last_part` "morning"
    half of the last day's. On a one-day request either may apply (a morning or an
    afternoon); both at once asks for nothing and is refused (ValueError).
    """
    if last < first:
        raise ValueError(f"leave cannot end ({last}) before it starts ({first})")
    if first_part not in FIRST_PARTS:
        raise ValueError(f"a leave starts with {' or '.join(FIRST_PARTS)}, not {first_part!r}")
    if last_part not in LAST_PARTS:
        raise ValueError(f"a leave ends with {' or '.join(LAST_PARTS)}, not {last_part!r}")
    if first == last and first_part == AFTERNOON and last_part == MORNING:
        raise ValueError("a one-day leave cannot start in the afternoon and end in the morning")
    hours: dict[date, Decimal] = {}
    day = first
    while day <= last:
        scheduled = scheduled_hours(day, periods, days_off)
        if (day == first and first_part == AFTERNOON) or (day == last and last_part == MORNING):
            scheduled = scheduled * HALF
        if scheduled > 0:
            hours[day] = scheduled
        day += timedelta(days=1)
    return hours


def segments_in(
    first: date, last: date, periods: Sequence[WorkPeriod]
) -> list[tuple[WorkPeriod, date, date]]:
    """Each period clipped to `first`..`last` (inclusive), in date order: (period, start,
    end) for the periods that overlap it."""
    clipped = []
    for period in periods:
        start = max(period.start, first)
        end = last if period.end is None else min(period.end, last)
        if start <= end:
            clipped.append((period, start, end))
    return sorted(clipped, key=lambda segment: segment[1])


def days_in_year(year: int) -> int:
    return (date(year + 1, 1, 1) - date(year, 1, 1)).days


def employed_days(year: int, periods: Sequence[WorkPeriod]) -> int:
    """The calendar days of `year` that a period covers (overlaps counted once)."""
    covered = 0
    reached = date(year, 1, 1)  # the first day not yet counted
    for _period, start, end in segments_in(date(year, 1, 1), date(year, 12, 31), periods):
        start = max(start, reached)
        if start <= end:
            covered += (end - start).days + 1
            reached = end + timedelta(days=1)
    return covered
