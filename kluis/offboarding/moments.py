"""When an offboarding takes effect: at once, or at the end of the last working day in the
company's time zone: the zone of the country whose calendar the company keeps (Settings >
Time off; each of those countries has one zone), else the installation's
(settings.TIME_ZONE, KLUIS_TIME_ZONE)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

from kluis.offboarding.models import Moment
from kluis.tenancy.models import Tenant

# The countries whose calendars Kluis keeps (kluis.timeoff.calendar.COUNTRIES) and their zone.
ZONES = {
    "BE": "Europe/Brussels",
    "NL": "Europe/Amsterdam",
    "LU": "Europe/Luxembourg",
    "FR": "Europe/Paris",
    "DE": "Europe/Berlin",
}


def company_zone(tenant: Tenant) -> ZoneInfo:
    from kluis.timeoff.models import TimeoffSettings

    country = TimeoffSettings.objects.for_tenant(tenant).values_list("country", flat=True).first()
    return ZoneInfo(ZONES.get(country or "", settings.TIME_ZONE))


def end_of_day(tenant: Tenant, day: dt.date) -> dt.datetime:
    """The instant the day ends in the company's zone (midnight after it, local time)."""
    following = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0))
    return following.replace(tzinfo=company_zone(tenant))


def effective_at(tenant: Tenant, moment: str, last_day: dt.date, now: dt.datetime) -> dt.datetime:
    """When access ends for an offboarding approved `now`: at once, or at the end of the
    last working day (at once if that has passed already)."""
    if moment == Moment.IMMEDIATELY:
        return now
    return max(end_of_day(tenant, last_day), now)
