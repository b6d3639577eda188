"""The end of the last working day is midnight in the company's own zone: its calendar
country's, else the installation's."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from kluis.offboarding.moments import ZONES, end_of_day
from kluis.tenancy.models import Tenant
from kluis.timeoff.calendar import COUNTRIES
from kluis.timeoff.models import TimeoffSettings

DAY = dt.date(2026, 7, 31)


def test_every_calendar_country_has_its_zone() -> None:
    assert set(ZONES) == set(COUNTRIES)


def test_the_day_ends_at_midnight_in_the_company_s_country(
    demo: dict[str, Tenant], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"  # the installation's zone does not decide for a company
    tenant = demo["demo-bv"]
    TimeoffSettings.objects.for_tenant(tenant).update(country="DE")
    ends = end_of_day(tenant, DAY)
    assert ends == dt.datetime(2026, 8, 1, tzinfo=ZoneInfo("Europe/Berlin"))
    assert ends.astimezone(dt.UTC) == dt.datetime(2026, 7, 31, 22, 0, tzinfo=dt.UTC)


def test_a_company_without_a_calendar_uses_the_installation_s_zone(
    demo: dict[str, Tenant], settings
) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"
    tenant = demo["demo-bv"]
    TimeoffSettings.objects.for_tenant(tenant).delete()
    assert end_of_day(tenant, DAY) == dt.datetime(2026, 8, 1, tzinfo=dt.UTC)
