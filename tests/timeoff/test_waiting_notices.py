"""A leave request's "waits for your approval" notices are settled once it waits for
nobody any more: decided, withdrawn, or moved from the manager's step to HR's. Every
approver's badge drops with it; the employee's own notices and another company's stay
as they are."""

from __future__ import annotations

import datetime as dt

import pytest

from kluis.access.actor import Actor
from kluis.company.models import Notice
from kluis.company.notices import unread
from kluis.tenancy.models import Tenant
from kluis.timeoff import links, services
from kluis.timeoff.models import LeaveRequest, LeaveType
from tests.conftest import actor_for, member
from tests.timeoff.conftest import employee_of, grant

WAITING = "leave_request.waiting"


def _waiting(email: str, request: LeaveRequest, *, read: bool) -> int:
    return Notice.objects.filter(
        membership=member(email, "demo-bv"),
        topic=WAITING,
        url=links.request_page(request.pk),
        read_at__isnull=not read,
    ).count()


@pytest.fixture
def two_step(bv: Tenant, holiday: LeaveType) -> LeaveType:
    LeaveType.objects.filter(pk=holiday.pk).update(approval="manager_then_hr")
    holiday.refresh_from_db()
    return holiday


@pytest.fixture
def asked(worker: Actor, holiday: LeaveType, monday: dt.date) -> LeaveRequest:
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    return services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )


def test_the_managers_notice_is_settled_when_it_moves_on_to_hr(two_step, asked, manager):
    assert _waiting("manager@demo-bv.test", asked, read=False) == 1
    before = unread(manager)
    services.approve_request(manager, asked)
    assert _waiting("manager@demo-bv.test", asked, read=False) == 0
    assert unread(manager) == before - 1
    # HR's step: HR is told now, and that notice waits for them.
    assert _waiting("hr@demo-bv.test", asked, read=False) == 1


def test_one_approver_deciding_settles_every_other_approvers_notice(two_step, asked, manager):
    services.approve_request(manager, asked)
    hr_people = [
        n.membership.user.email
        for n in Notice.objects.filter(topic=WAITING, url=links.request_page(asked.pk))
        .exclude(membership__user__email="manager@demo-bv.test")
        .select_related("membership__user")
    ]
    assert "hr@demo-bv.test" in hr_people and len(hr_people) >= 2, hr_people
    other = next(email for email in hr_people if email != "hr@demo-bv.test")
    others_before = unread(actor_for(other, "demo-bv"))
    services.reject_request(actor_for("hr@demo-bv.test", "demo-bv"), asked, comment="No")
    for email in hr_people:
        assert _waiting(email, asked, read=False) == 0, email
    assert unread(actor_for(other, "demo-bv")) == others_before - 1


def test_withdrawing_settles_the_notice(asked, worker, manager):
    assert _waiting("manager@demo-bv.test", asked, read=False) == 1
    services.cancel_request(worker, asked, reason="Plans changed")
    assert _waiting("manager@demo-bv.test", asked, read=False) == 0
    assert _waiting("manager@demo-bv.test", asked, read=True) == 1


def test_the_employees_own_notices_and_another_companys_stay_unread(demo, asked, manager, worker):
    mine = Notice.objects.filter(membership=worker.membership, read_at=None)
    mine_before = set(mine.values_list("pk", flat=True))
    theirs = Notice.objects.create(
        tenant=demo["other-nv"],
        membership=member("hr@other-nv.test", "other-nv"),
        topic=WAITING,
        title="Elsewhere",
        url=links.request_page(asked.pk),  # the same path in another company
    )
    services.approve_request(manager, asked)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    still = set(
        Notice.objects.filter(pk__in=mine_before, read_at=None).values_list("pk", flat=True)
    )
    assert still == mine_before
    # The employee hears of the approval, unread.
    assert Notice.objects.filter(
        membership=worker.membership, topic="leave_request.approved", read_at=None
    ).exists()


def test_changing_a_request_settles_the_old_notice_and_sends_a_new_one(
    asked, worker, manager, monday
):
    services.change_request(worker, asked, {"end_date": monday + dt.timedelta(days=1)})
    assert _waiting("manager@demo-bv.test", asked, read=False) == 1
    assert _waiting("manager@demo-bv.test", asked, read=True) == 1


def test_a_withdrawal_is_told_to_the_manager_it_waited_for_not_hr(asked, worker):
    """The request waited at the manager's step: the manager hears it was withdrawn."""
    services.cancel_request(worker, asked)
    told = Notice.objects.filter(topic="leave_request.cancelled", url=links.request_page(asked.pk))
    assert set(told.values_list("membership__user__email", flat=True)) == {"manager@demo-bv.test"}
