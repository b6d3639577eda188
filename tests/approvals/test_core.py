"""The two-person rule's core, through its own action (turning the rule off): held,
approved by a second person only, applied with both names, rejected, withdrawn,
expired, stale."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kluis.access.holds import HeldForApproval
from kluis.access.models import Role
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.audit.models import AuditEvent
from kluis.company.services.roles import grant_role
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for, member

OWNER = "owner@demo-bv.test"
HR = "hr@demo-bv.test"
ALL = ["approvals.policy"]


def _second_owner(tenant: Tenant) -> None:
    role = Role.objects.for_tenant(tenant).get(builtin_key="owner")
    grant_role(actor_for(OWNER, "demo-bv"), member(HR, "demo-bv"), role)


def _turn_on(tenant: Tenant) -> None:
    services.set_policy(
        actor_for(OWNER, "demo-bv"), tenant, actions=ALL, wage_change_percent=10, expiry_hours=72
    )


def _turn_off(email: str, tenant: Tenant) -> None:
    services.set_policy(
        actor_for(email, "demo-bv"), tenant, actions=[], wage_change_percent=10, expiry_hours=72
    )


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def test_turning_the_rule_on_is_not_held_and_off_is(tenant: Tenant) -> None:
    _turn_on(tenant)
    assert services.policy_for(tenant).actions == ALL
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    assert services.policy_for(tenant).actions == ALL  # nothing changed
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    assert request.status == Status.PENDING
    assert request.requested_by_label == OWNER
    assert held.value.api_path == f"/api/v1/approvals/{request.pk}/"


def test_the_requester_never_approves_their_own(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    with pytest.raises(PermissionDenied):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    assert not services.may_decide(actor_for(OWNER, "demo-bv"), request)
    # An approver without the action's permission cannot either.
    with pytest.raises(PermissionDenied):
        services.approve(actor_for("auditor@demo-bv.test", "demo-bv"), request)
    # Nor anyone of another company.
    with pytest.raises(PermissionDenied):
        services.approve(actor_for("owner@other-nv.test", "other-nv"), request)
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_a_second_owner_approves_and_the_change_is_applied_with_both_names(
    tenant: Tenant,
) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    done = services.approve(actor_for(HR, "demo-bv"), request)
    assert done.status == Status.APPROVED
    assert done.applied_at is not None
    assert services.policy_for(tenant).actions == []
    event = AuditEvent.objects.filter(action="approvals.policy_changed").latest("sequence")
    assert event.actor_label == HR
    assert event.changes["approval"] == {
        "request": request.pk,
        "requested_by": OWNER,
        "approved_by": HR,
    }
    with pytest.raises(ValidationError):  # decided once only
        services.approve(actor_for(HR, "demo-bv"), request)


def test_reject_needs_a_reason_and_discards(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    with pytest.raises(ValidationError):
        services.reject(actor_for(HR, "demo-bv"), request, "  ")
    services.reject(actor_for(HR, "demo-bv"), request, "Not now")
    request.refresh_from_db()
    assert (request.status, request.decision_reason) == (Status.REJECTED, "Not now")
    assert services.policy_for(tenant).actions == ALL


def test_withdraw_only_by_the_requester(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    with pytest.raises(PermissionDenied):
        services.withdraw(actor_for(HR, "demo-bv"), request)
    services.withdraw(actor_for(OWNER, "demo-bv"), request)
    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN


def test_an_undecided_request_expires(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    assert services.expire_due(timezone.now()) == 0
    assert services.expire_due(timezone.now() + dt.timedelta(hours=72, seconds=1)) == 1
    request.refresh_from_db()
    assert request.status == Status.EXPIRED
    assert services.policy_for(tenant).actions == ALL
    assert AuditEvent.objects.filter(action="approval.expired").exists()


def test_approving_after_expiry_is_refused(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    ApprovalRequest.objects.filter(pk=held.value.request_id).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    with pytest.raises(ValidationError):
        services.approve(actor_for(HR, "demo-bv"), request)
    request.refresh_from_db()
    assert request.status == Status.EXPIRED


def test_a_request_whose_target_changed_cannot_be_approved(tenant: Tenant) -> None:
    _second_owner(tenant)
    _turn_on(tenant)
    with pytest.raises(HeldForApproval) as held:
        _turn_off(OWNER, tenant)
    # Meanwhile someone changes the rule in another way (the expiry: not a loosening).
    services.set_policy(
        actor_for(HR, "demo-bv"), tenant, actions=ALL, wage_change_percent=10, expiry_hours=48
    )
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(HR, "demo-bv"), request)
    request.refresh_from_db()
    assert request.status == Status.STALE
    assert services.policy_for(tenant).actions == ALL
