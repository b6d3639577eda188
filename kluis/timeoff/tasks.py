"""The calendar's scheduled work (registered in apps.py, queued once a day across every
worker by kluis/operations/schedule.py):

- `daily_grants`: every company's entitlements of the current year (`grant_year`): on
  1 January the new year's grant, on the 1st of each month the monthly accruals; on other
  days only what changed (a joiner, a leaver, a contract change). Idempotent, so a day the
  worker missed is caught up the next.
- `daily_expiries`: expiry notices, then carry-over caps and expiries (expiry.py)."""

from __future__ import annotations

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.tenancy.models import Tenant
from kluis.timeoff.models import LeaveType
from kluis.timeoff.services.entitlements import COUNTED_RULES, grant_year
from kluis.timeoff.services.expiry import apply_expiries, send_expiry_notices


def companies(slug: str | None = None) -> list[Tenant]:
    """Companies with a leave type that keeps a balance (one by its slug)."""
    with_types = LeaveType.objects.filter(rule__in=COUNTED_RULES, is_active=True).values(
        "tenant_id"
    )
    found = Tenant.objects.filter(Q(pk__in=with_types)).order_by("pk")
    if slug is not None:
        found = found.filter(slug=slug)
    return list(found)


def grant_all(year: int, slug: str | None = None) -> dict[str, int]:
    """`year`'s grants for every company (or one): lines written per company slug."""
    written = {}
    for tenant in companies(slug):
        actor = Actor.system("timeoff grants", tenant)
        written[tenant.slug] = grant_year(actor, tenant, year)
    return written


@task()
def daily_grants() -> dict[str, int]:
    return grant_all(timezone.localdate().year)


@task()
def daily_expiries() -> dict[str, int]:
    today = timezone.localdate()
    return {"notices": send_expiry_notices(today), "lines": apply_expiries(today)}
