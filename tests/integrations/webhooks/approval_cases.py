"""The changes that emit the two-person rule's events (issue 18), one per event type, on
the demo company (merged into event_cases.CASES): an Owner grant held once there are two
owners, then approved, rejected or left to expire."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kluis.access.holds import HeldForApproval
from kluis.access.models import Role
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest
from kluis.company.services.roles import grant_role
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for, member

OWNER = "owner@demo-bv.test"
HR = "hr@demo-bv.test"


def _held_owner_grant(tenant: Tenant) -> ApprovalRequest:
    owner = Role.objects.for_tenant(tenant).get(builtin_key="owner")
    grant_role(actor_for(OWNER), member(HR, "demo-bv"), owner)  # the second owner
    try:
        grant_role(actor_for(OWNER), member("member1@demo-bv.test", "demo-bv"), owner)
    except HeldForApproval as held:
        return ApprovalRequest.objects.get(pk=held.request_id)
    raise AssertionError("an Owner grant with two owners was not held")


def requested(tenant: Tenant) -> int:
    return _held_owner_grant(tenant).pk


def approved(tenant: Tenant) -> int:
    request = _held_owner_grant(tenant)
    services.approve(actor_for(HR), request)
    return request.pk


def rejected(tenant: Tenant) -> int:
    request = _held_owner_grant(tenant)
    services.reject(actor_for(HR), request, "Not now")
    return request.pk


def expired(tenant: Tenant) -> int:
    request = _held_owner_grant(tenant)
    services.expire_due(timezone.now() + dt.timedelta(hours=73))
    return request.pk


def policy_updated(tenant: Tenant) -> int:
    """The company holds another set of actions (adding one is never itself held)."""
    from kluis.approvals.registry import optional_actions

    policy = services.policy_for(tenant)
    held = set(policy.actions)
    extra = next(action.key for action in optional_actions() if action.key not in held)
    return services.set_policy(
        actor_for(OWNER),
        tenant,
        actions=sorted(held | {extra}),
        wage_change_percent=policy.wage_change_percent,
        expiry_hours=policy.expiry_hours,
    ).pk


APPROVAL_CASES = {
    "approval.requested": requested,
    "approval.approved": approved,
    "approval.rejected": rejected,
    "approval.expired": expired,
    "approval_policy.updated": policy_updated,
}
