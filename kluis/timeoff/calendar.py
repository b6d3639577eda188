"""Which days are working days for whom: public holidays (the `holidays` package, for
the company's country and region), the company's closing days, and each employee's
contract schedule (kluis/timeoff/law/schedule.py). Reads only."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import lru_cache

import holidays as holiday_tables

from kluis.people.selectors import contract_periods
from kluis.tenancy.models import Tenant
from kluis.timeoff.law.schedule import WorkPeriod
from kluis.timeoff.models import ClosingDay, TimeoffSettings

COUNTRIES = ("BE", "NL", "LU", "FR", "DE")


@lru_cache(maxsize=256)
def _public(country: str, region: str, year: int) -> tuple[tuple[dt.date, str], ...]:
    """A country's (and region's) public holidays of one year: pure, computed once per
    process (it depends on nothing that changes)."""
    try:
        table = holiday_tables.country_holidays(country, subdiv=region or None, years=year)
    except (NotImplementedError, KeyError):
        return ()
    return tuple(sorted(table.items()))


def regions_of(country: str) -> tuple[str, ...]:
    """The regions (subdivisions) whose public holidays the package knows for a country."""
    try:
        table = holiday_tables.country_holidays(country)
    except (NotImplementedError, KeyError):
        return ()
    return tuple(getattr(table, "subdivisions", ()) or ())


def settings_of(tenant: Tenant | int) -> TimeoffSettings:
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    found = TimeoffSettings.objects.for_tenant(tenant_id).first()
    return found or TimeoffSettings(tenant_id=tenant_id)


def public_holidays(tenant: Tenant | int, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    config = settings_of(tenant)
    days: dict[dt.date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _public(config.country, config.region, year):
            if first <= day <= last:
                days[day] = name
    return days


def days_off(tenant: Tenant | int, first: dt.date, last: dt.date) -> dict[dt.date, str]:
    """Public holidays and closing days between two dates (inclusive), by name."""
    days = public_holidays(tenant, first, last)
    closing = ClosingDay.objects.for_tenant(tenant).filter(date__gte=first, date__lte=last)
    for day, name in closing.values_list("date", "name"):
        days.setdefault(day, name)
    return days


def work_periods(tenant: Tenant | int, employee_ids: list[int]) -> dict[int, list[WorkPeriod]]:
    return {
        employee_id: [
            WorkPeriod(
                start=start,
                end=end,
                hours_per_week=Decimal(hours),
                weekly_schedule=tuple(Decimal(str(h)) for h in schedule)
                if len(schedule) == 7
                else (),
            )
            for start, end, hours, schedule in periods
        ]
        for employee_id, periods in contract_periods(tenant, employee_ids).items()
    }
