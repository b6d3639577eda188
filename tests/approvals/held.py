"""Helpers of the held-action tests: the company's choice, the stored request, the
audit event of an applied request."""

from __future__ import annotations

from typing import Any

from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest
from kluis.audit.models import AuditEvent
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

OWNER = "owner@demo-bv.test"
HR = "hr@demo-bv.test"
MANAGER = "manager@demo-bv.test"  # reads no salary, bank or identity data company-wide


def choose(tenant: Tenant, *actions: str, percent: int = 10) -> None:
    """The owner chooses which actions wait for a second approver (turning on: not held)."""
    services.set_policy(
        actor_for(OWNER, tenant.slug),
        tenant,
        actions=list(actions),
        wage_change_percent=percent,
        expiry_hours=72,
    )


def stored(request_id: int) -> ApprovalRequest:
    return ApprovalRequest.objects.select_related("tenant").get(pk=request_id)


def shown(request: ApprovalRequest, email: str) -> dict[str, Any]:
    """{field: (old, new, masked)} as `email` of Demo BV sees the request."""
    return {
        change.field: (change.old, change.new, change.masked)
        for change in services.changes_for(request, actor_for(email, "demo-bv"))
    }


def applied_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("sequence")


def both_names(event: AuditEvent, request: ApprovalRequest, approver: str) -> None:
    assert event.actor_label == approver
    assert event.changes["approval"] == {
        "request": request.pk,
        "requested_by": request.requested_by_label,
        "approved_by": approver,
    }
