"""An offboarding is always four-eyes: HR asks, a second person with the approve
permission approves; never the requester, never the leaver. A request rejected or
expired closes it; bad input changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kluis.approvals import services as approvals
from kluis.approvals.models import ApprovalRequest
from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from kluis.offboarding import services
from kluis.offboarding.models import Offboarding, Status
from tests.conftest import actor_for, member
from tests.offboarding.support import (
    HR,
    LEAVER,
    OWNER,
    approve,
    employee_of,
    open_doors,
    request_offboarding,
)

CONSULTANT = "consultant@kluis.test"  # a second HR admin of Demo BV


def _request_of(offboarding: Offboarding) -> ApprovalRequest:
    return ApprovalRequest.objects.get(pk=offboarding.approval_request_id)


def test_a_request_waits_with_what_will_be_revoked_for_the_approver(demo):
    doors = open_doors()
    offboarding = request_offboarding(employee_of(LEAVER), handover_to=member(OWNER))

    request = _request_of(offboarding)
    assert request.status == "pending" and request.action == "offboarding.revoke_access"
    shown = {c.field: c for c in approvals.changes_for(request, actor_for(OWNER))}
    assert shown["membership"].old == LEAVER
    assert shown["api_keys"].old == doors.key.prefix
    assert "2 API client(s), 1 webhook(s)" in shown["handover"].old
    assert shown["handover"].new == OWNER
    assert offboarding.status == Status.REQUESTED
    assert member(LEAVER).is_active
    requested = AuditEvent.objects.get(
        action="offboarding.requested", object_id=str(offboarding.pk)
    )
    assert requested.actor_label == HR
    assert DomainEvent.objects.filter(name="offboarding.requested").count() == 1


def test_the_requester_cannot_approve_their_own(demo):
    offboarding = request_offboarding(employee_of(LEAVER), by=HR)

    with pytest.raises(PermissionDenied):
        approve(offboarding, by=HR)
    assert _request_of(offboarding).status == "pending"
    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REQUESTED


def test_the_leaver_cannot_approve_their_own_even_holding_the_permission(demo):
    # HR leaves; the owner asks; HR (who may approve offboardings) cannot approve theirs.
    offboarding = request_offboarding(employee_of(HR), by=OWNER)

    with pytest.raises(PermissionDenied):
        approve(offboarding, by=HR)
    assert not approvals.may_decide(actor_for(HR), _request_of(offboarding))
    assert approvals.may_decide(actor_for(CONSULTANT, "demo-bv"), _request_of(offboarding))


def test_someone_without_the_approve_permission_cannot_approve(demo):
    offboarding = request_offboarding(employee_of(LEAVER))

    with pytest.raises(PermissionDenied):
        approve(offboarding, by="manager@demo-bv.test")


def test_nothing_approves_it_but_its_approval_request(demo):
    offboarding = request_offboarding(employee_of(LEAVER))

    with pytest.raises(PermissionDenied):
        services.approve(actor_for(OWNER), offboarding)
    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REQUESTED


def test_a_second_person_approves_with_both_names_and_immediately_queues_it(
    demo, django_capture_on_commit_callbacks
):
    offboarding = request_offboarding(employee_of(LEAVER), by=HR)

    with django_capture_on_commit_callbacks(execute=True):
        offboarding = approve(offboarding, by=CONSULTANT)

    assert offboarding.status == Status.APPROVED
    assert offboarding.approved_by_label == CONSULTANT
    assert offboarding.effective_at is not None and offboarding.effective_at <= timezone.now()
    event = AuditEvent.objects.get(action="offboarding.approved", object_id=str(offboarding.pk))
    assert event.changes["approval"]["requested_by"] == HR
    assert event.changes["approval"]["approved_by"] == CONSULTANT
    queued = DBTaskResult.objects.filter(task_path="kluis.offboarding.tasks.execute_offboarding")
    assert queued.count() == 1 and queued.get().args_kwargs["args"] == [offboarding.pk]


def test_a_rejected_request_closes_the_offboarding_and_a_new_one_may_start(demo):
    offboarding = request_offboarding(employee_of(LEAVER))

    approvals.reject(actor_for(OWNER), _request_of(offboarding), "Not leaving after all")

    offboarding.refresh_from_db()
    assert offboarding.status == Status.REJECTED
    assert offboarding.rejected_reason == "Not leaving after all"
    assert member(LEAVER).is_active
    again = request_offboarding(employee_of(LEAVER))
    assert again.status == Status.REQUESTED


def test_an_expired_request_closes_the_offboarding(demo):
    offboarding = request_offboarding(employee_of(LEAVER))
    ApprovalRequest.objects.filter(pk=offboarding.approval_request_id).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    assert approvals.expire_due() == 1

    assert Offboarding.objects.get(pk=offboarding.pk).status == Status.REJECTED


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"last_day": ""}, "last_day"),
        ({"last_day": "31/12/2026"}, "last_day"),
        ({"reason": "  "}, "reason"),
        ({"moment": "whenever"}, "moment"),
        ({"handover_to": "leaver"}, "handover_to"),
        ({"handover_to": "999999"}, "handover_to"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(demo, data, field):
    employee = employee_of(LEAVER)
    values = {"last_day": "2026-12-31", "reason": "Resigned", "moment": "immediately", **data}
    if values.get("handover_to") == "leaver":
        values["handover_to"] = employee.membership_id

    with pytest.raises(ValidationError) as raised:
        services.request_offboarding(actor_for(HR), employee, values)

    assert field in raised.value.message_dict
    assert not Offboarding.objects.exists() and not ApprovalRequest.objects.exists()


def test_one_open_offboarding_per_person_and_never_one_s_own(demo):
    request_offboarding(employee_of(LEAVER))
    with pytest.raises(ValidationError):
        request_offboarding(employee_of(LEAVER), by=OWNER)
    with pytest.raises(PermissionDenied):
        request_offboarding(employee_of(HR), by=HR)
    with pytest.raises(PermissionDenied):
        request_offboarding(employee_of("member2@demo-bv.test"), by="manager@demo-bv.test")
    assert Offboarding.objects.count() == 1


def test_listeners_hear_of_a_started_and_a_carried_out_offboarding(demo):
    from kluis.offboarding import hooks, tasks

    heard: list[tuple[str, int]] = []

    def listener(what: str, actor: object, offboarding: Offboarding) -> None:
        heard.append((what, offboarding.pk))

    hooks.listen(listener)
    try:
        offboarding = request_offboarding(employee_of(LEAVER))
        approve(offboarding)
        tasks.run_due()
    finally:
        hooks._LISTENERS.remove(listener)
    assert heard == [("started", offboarding.pk), ("executed", offboarding.pk)]
