"""Granting Owner, HR admin or Auditor under the two-person rule: held when the company
chose so, an Owner grant always once there are two owners; approved by a second owner,
applied with both names; stale when the member got the role meanwhile."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.holds import HeldForApproval
from kluis.access.models import RoleAssignment
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.audit.models import AuditEvent
from kluis.company.services.roles import grant_role
from kluis.tenancy.models import Tenant
from tests.approvals.helpers import HR, MEMBER, OWNER, held_owner_grant, role, second_owner
from tests.conftest import actor_for, member


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def _holds(email: str, tenant: Tenant, key: str) -> bool:
    return RoleAssignment.objects.filter(
        membership=member(email, "demo-bv"), role=role(tenant, key)
    ).exists()


def test_one_owner_grants_freely_until_the_company_chooses_the_rule(tenant: Tenant) -> None:
    grant_role(actor_for(OWNER, "demo-bv"), member(MEMBER, "demo-bv"), role(tenant, "auditor"))
    assert _holds(MEMBER, tenant, "auditor")
    services.set_policy(
        actor_for(OWNER, "demo-bv"),
        tenant,
        actions=["role.grant_privileged"],
        wage_change_percent=10,
        expiry_hours=72,
    )
    with pytest.raises(HeldForApproval):
        grant_role(actor_for(OWNER, "demo-bv"), member(MEMBER, "demo-bv"), role(tenant, "hr_admin"))
    assert not _holds(MEMBER, tenant, "hr_admin")
    # A role that is not privileged is never held.
    grant_role(actor_for(OWNER, "demo-bv"), member(MEMBER, "demo-bv"), role(tenant, "manager"))
    assert _holds(MEMBER, tenant, "manager")


def test_an_owner_grant_always_waits_once_there_are_two_owners(tenant: Tenant) -> None:
    second_owner(tenant)
    assert services.owners(tenant) == 2
    request = held_owner_grant(tenant)
    assert request.status == Status.PENDING
    assert request.changes == [
        {"field": "role", "label": "Role", "old": None, "new": "Owner", "reveal": ""}
    ]
    assert not _holds(MEMBER, tenant, "owner")
    with pytest.raises(PermissionDenied):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    services.approve(actor_for(HR, "demo-bv"), request)
    assert _holds(MEMBER, tenant, "owner")
    event = AuditEvent.objects.filter(action="role.granted").latest("sequence")
    assert event.actor_label == HR
    assert event.changes["approval"]["requested_by"] == OWNER
    assert event.changes["approval"]["approved_by"] == HR


def test_a_grant_whose_member_got_the_role_meanwhile_is_stale(tenant: Tenant) -> None:
    second_owner(tenant)
    services.set_policy(
        actor_for(OWNER, "demo-bv"),
        tenant,
        actions=["role.grant_privileged"],
        wage_change_percent=10,
        expiry_hours=72,
    )
    with pytest.raises(HeldForApproval) as first:
        grant_role(actor_for(OWNER, "demo-bv"), member(MEMBER, "demo-bv"), role(tenant, "auditor"))
    with pytest.raises(HeldForApproval) as second:
        grant_role(actor_for(HR, "demo-bv"), member(MEMBER, "demo-bv"), role(tenant, "auditor"))
    services.approve(
        actor_for(HR, "demo-bv"), ApprovalRequest.objects.get(pk=first.value.request_id)
    )
    assert _holds(MEMBER, tenant, "auditor")
    again = ApprovalRequest.objects.get(pk=second.value.request_id)
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), again)
    again.refresh_from_db()
    assert again.status == Status.STALE


def test_a_role_already_held_is_refused_before_any_request(tenant: Tenant) -> None:
    second_owner(tenant)
    before = ApprovalRequest.objects.count()
    with pytest.raises(Exception, match="already has the role"):
        grant_role(actor_for(OWNER, "demo-bv"), member(HR, "demo-bv"), role(tenant, "owner"))
    assert ApprovalRequest.objects.count() == before


def test_the_audit_log_shows_both_names_of_an_applied_grant(tenant: Tenant) -> None:
    from kluis.audit.selectors import change_rows

    second_owner(tenant)
    request = held_owner_grant(tenant)
    services.approve(actor_for(HR, "demo-bv"), request)
    event = AuditEvent.objects.filter(action="role.granted").latest("sequence")
    rows = {row.field: row.new for row in change_rows(actor_for("auditor@demo-bv.test"), event)}
    assert OWNER in str(rows["approval"]) and HR in str(rows["approval"])
    requested = AuditEvent.objects.get(action="approval.requested", object_id=str(request.pk))
    shown = change_rows(actor_for("auditor@demo-bv.test"), requested)
    assert {row.field: row.new for row in shown}["action"] == "role.grant_privileged"
