"""Requesting, approving, rejecting and cancelling leave through the services: the
balance, the history, the rules (never one's own request, overlaps, locked months)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.timeoff import services
from kluis.timeoff.models import EntryVersion, LeaveDay
from kluis.timeoff.services.ledger import remaining
from tests.timeoff.conftest import employee_of, grant


def test_a_week_requested_approved_takes_five_days_from_the_balance(
    bv, worker, manager, holiday, monday
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=6)},
    )
    assert request.status == "pending" and request.stage == "manager"
    assert request.hours == Decimal("38.00")
    assert LeaveDay.objects.filter(request=request).count() == 5
    approved = services.approve_request(manager, request, comment="Enjoy")
    assert approved.status == "approved"
    assert remaining(bv.pk, me.pk, holiday.pk) == Decimal("114.00")
    actions = list(EntryVersion.objects.filter(request=request).values_list("action", flat=True))
    assert actions == ["requested", "approved"]


def test_nobody_approves_their_own_request_whatever_their_roles(bv, hr, holiday, monday):
    me = employee_of("hr@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        hr, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    with pytest.raises(PermissionDenied):
        services.approve_request(hr, request)
    with pytest.raises(PermissionDenied):
        services.reject_request(hr, request)


def test_a_request_beyond_the_balance_is_refused_saying_what_is_left(worker, holiday, monday):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "15.2")
    with pytest.raises(ValidationError) as refused:
        services.request_leave(
            worker,
            me,
            {
                "leave_type": holiday,
                "start_date": monday,
                "end_date": monday + dt.timedelta(days=2),
            },
        )
    assert "2.00 days left" in str(refused.value)


def test_overlapping_leave_is_refused(worker, holiday, monday):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=2)},
    )
    with pytest.raises(ValidationError) as refused:
        services.request_leave(
            worker,
            me,
            {
                "leave_type": holiday,
                "start_date": monday + dt.timedelta(days=1),
                "end_date": monday + dt.timedelta(days=1),
            },
        )
    assert "overlaps" in str(refused.value)


def test_cancelling_approved_leave_gives_the_hours_back(bv, worker, manager, holiday, monday):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    services.approve_request(manager, request)
    services.cancel_request(worker, request)
    assert remaining(bv.pk, me.pk, holiday.pk) == Decimal("152.00")


def test_a_sick_day_during_leave_gives_that_day_back(bv, worker, manager, hr, holiday, monday):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=4)},
    )
    services.approve_request(manager, request)
    absence = services.register_absence(
        hr,
        me,
        {
            "start_date": monday + dt.timedelta(days=1),
            "end_date": monday + dt.timedelta(days=2),
            "reason": "flu",
        },
    )
    assert remaining(bv.pk, me.pk, holiday.pk) == Decimal("152") - Decimal("38") + Decimal("15.2")
    services.update_absence(hr, absence, {"end_date": monday + dt.timedelta(days=1)})
    assert remaining(bv.pk, me.pk, holiday.pk) == Decimal("152") - Decimal("38") + Decimal("7.6")


def test_a_locked_month_refuses_requests_until_unlocked(bv, worker, hr, holiday):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    today = dt.date.today()
    lock = services.lock_month(
        hr, bv, {"month": today.strftime("%Y-%m"), "reason": "Payroll closed"}
    )
    first_working = next(
        d
        for d in (today.replace(day=n) for n in range(1, 29))
        if d.weekday() < 5 and d > today.replace(day=1)
    )
    with pytest.raises(ValidationError) as refused:
        services.request_leave(
            worker,
            me,
            {"leave_type": holiday, "start_date": first_working, "end_date": first_working},
        )
    assert "locked" in str(refused.value)
    services.unlock_month(hr, lock, reason="Correction")


def test_the_balance_shows_entitled_planned_and_remaining_in_days(worker, manager, holiday, monday):
    from kluis.timeoff.selectors import balances_of

    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152", year=monday.year)
    request = services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=1)},
    )
    services.approve_request(manager, request)
    row = next(
        r
        for r in balances_of(worker, me, as_of=monday - dt.timedelta(days=1))
        if r.leave_type == holiday
    )
    assert row.shown(row.balance.entitled) == Decimal("20.00")
    assert row.shown(row.balance.planned) == Decimal("2.00")
    assert row.shown(row.balance.remaining) == Decimal("18.00")


def test_a_region_the_holidays_package_does_not_know_is_refused(bv, hr):
    with pytest.raises(ValidationError) as refused:
        services.change_settings(hr, bv, {"region": "ZONE A"})
    assert "region" in refused.value.message_dict
    assert services.change_settings(hr, bv, {"region": "flemish"}).region == "FLEMISH"


def test_only_hr_installs_the_default_leave_types(bv, worker):
    with pytest.raises(PermissionDenied):
        services.install_defaults(worker, bv, country="BE")
