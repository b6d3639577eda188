"""The demo companies' year of calendar (kluis/timeoff/demo.py): loaded here into the
test's demo companies (the test settings leave it out of the shared demo, so other tests
lay out their own calendar)."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.company.demo import load_demo
from kluis.company.models import Notice
from kluis.timeoff.demo import _Demo, has_calendar, load_calendar
from kluis.timeoff.models import (
    Absence,
    ClosingDay,
    EntryVersion,
    LeaveRequest,
    LedgerEntry,
    MonthLock,
)
from kluis.timeoff.services.ledger import remaining
from tests.timeoff.conftest import employee_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(demo):
    started = time.perf_counter()
    for slug, country in (("demo-bv", "BE"), ("other-nv", "NL")):
        load_calendar(demo[slug], locale="", country=country)
    print(f"\ndemo calendar of both companies loaded in {time.perf_counter() - started:.2f}s")
    return demo


def test_each_demo_company_gets_a_year_of_leave_sickness_and_a_lock(loaded):
    today = timezone.localdate()
    for tenant in loaded.values():
        assert has_calendar(tenant)
        approved = LeaveRequest.objects.for_tenant(tenant).filter(status="approved")
        assert approved.count() > 40
        assert approved.filter(start_date__lt=today).exists()
        statuses = set(LeaveRequest.objects.for_tenant(tenant).values_list("status", flat=True))
        assert statuses == {"approved", "pending", "rejected", "cancelled"}
        absences = Absence.objects.for_tenant(tenant)
        assert 3 <= absences.count() <= 6
        assert absences.filter(end_date=None).count() == 1
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        lock = MonthLock.objects.for_tenant(tenant).get(month=last_month)
        assert lock.is_locked and lock.reason
        assert ClosingDay.objects.for_tenant(tenant).count() == 1
        assert AuditEvent.objects.filter(tenant=tenant, action="month.locked").exists()
        assert EntryVersion.objects.for_tenant(tenant).filter(action="approved").exists()


def test_the_demo_manager_has_requests_to_decide(loaded):
    team = [employee_of(f"member{n}@demo-bv.test") for n in (1, 2, 3)]
    waiting = LeaveRequest.objects.filter(employee__in=team, status="pending", stage="manager")
    assert waiting.count() >= 2
    assert all(r.start_date > timezone.localdate() for r in waiting)
    manager = employee_of("manager@demo-bv.test").membership
    notices = Notice.objects.filter(membership=manager, read_at=None)
    assert notices.count() >= waiting.count()
    # Only the waiting requests left a notice: no flood of old ones.
    assert Notice.objects.filter(topic="leave_request.approved").count() == 0


def test_balances_come_from_grant_lines_and_the_leave_taken(loaded):
    lotte = employee_of("member1@demo-bv.test")
    grants = LedgerEntry.objects.filter(employee=lotte, kind="grant")
    assert grants.filter(year=timezone.localdate().year).exists()
    uses = LedgerEntry.objects.filter(employee=lotte, kind="use")
    assert uses.exists()
    holiday = grants.filter(leave_type__code="legal-holiday").first().leave_type
    assert remaining(lotte.tenant_id, lotte.pk, holiday.pk) >= 0


def test_the_open_sick_period_is_in_the_demo_team(loaded):
    open_one = Absence.objects.get(tenant=loaded["demo-bv"], end_date=None)
    assert open_one.employee == employee_of("member3@demo-bv.test")


def test_the_layout_is_seeded(demo):
    tenant = demo["demo-bv"]
    lotte = employee_of("member1@demo-bv.test")
    once = _Demo(tenant, 15).plan_past_leave(lotte)
    assert once == _Demo(tenant, 15).plan_past_leave(lotte)
    assert once != _Demo(tenant, 16).plan_past_leave(lotte)
    assert 10 <= sum((end - start).days + 1 for start, end, _part in once) <= 40


def test_an_existing_demo_without_a_calendar_gets_one_once(demo, settings):
    settings.DEMO_CALENDAR = False
    load_demo()
    assert not has_calendar(demo["demo-bv"])
    settings.DEMO_CALENDAR = True
    load_demo()
    assert has_calendar(demo["demo-bv"]) and has_calendar(demo["other-nv"])
    count = LeaveRequest.objects.count()
    load_demo()
    assert LeaveRequest.objects.count() == count
