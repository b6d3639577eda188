"""A realistic year of the calendar for each demo company.

What a demo login meets is written through the services the app uses (request, approve,
reject, cancel, register a sick period, add a closing day, lock a month), so its history,
audit trail, notices and balances are real: the demo team's summer holidays, the requests
waiting for the demo manager and HR, a rejected and a withdrawn one, the sick periods, the
closing day and the lock. The past leave of everyone else (some 40 people a company) is
written in bulk the way the services write it (the request, its days, its history
"requested" then "approved", its balance lines), but without an audit event each: going
through the services one by one would add half a minute to every demo load.

Per company: every employee's entitlement for last year and this year (the yearly
entitlement run, kluis.timeoff.services.entitlements.grant_year), 10-20 days of approved
leave over the past year (a summer holiday, bridge days, single and half days), a few
rejected and withdrawn requests, requests waiting in the coming weeks for the demo
manager (and for HR), a few sick periods (one still open), a bridge day the company
closes, and last month locked for payroll. Seeded: the same every time for the same day.

The notices those past steps would have sent are dropped (they would all be dated today
and flood the demo's inboxes and the mail queue); the notices of the requests still
waiting stay, so the approvals inbox has work.

The parts: base.py (the company's people, work days and the request/approve helpers),
leave.py (past, declined and waiting leave), company.py (sickness, the closing day, the lock).
"""

from __future__ import annotations

from kluis.company.models import Notice
from kluis.tenancy.models import Tenant
from kluis.timeoff.demo.base import SEED
from kluis.timeoff.demo.company import DemoCompany
from kluis.timeoff.demo.leave import DemoLeave
from kluis.timeoff.models import LeaveRequest
from kluis.timeoff.services.entitlements import grant_year

__all__ = ["SEED", "has_calendar", "load_calendar"]


def load_calendar(tenant: Tenant, *, locale: str = "", country: str = "", seed: int = SEED) -> None:
    """The demo company's year of leave, sickness, a closing day and a month lock."""
    _Demo(tenant, seed).load()


def has_calendar(tenant: Tenant) -> bool:
    return LeaveRequest.objects.for_tenant(tenant).exists()


class _Demo(DemoLeave, DemoCompany):
    """The whole year, in order (the closing day first: nobody's leave falls on it)."""

    def load(self) -> None:
        if not self.employees or not self.main:
            return
        notices_before = (
            Notice.objects.for_tenant(self.tenant)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        )
        for year in sorted({self.today.year - 1, self.today.year}):
            grant_year(self.system, self.tenant, year, today=self.today)
        self.closing_day()
        self.past_leave()
        self.declined()
        self.waiting()
        self.sickness()
        self.lock_last_month()
        stale = Notice.objects.for_tenant(self.tenant).filter(pk__gt=notices_before)
        stale.exclude(url__in=self.keep_notices).delete()
