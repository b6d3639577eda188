"""Offboarding's webhook event cases (kluis/offboarding/events.py): one change per event
type in Demo BV, returning the offboarding's id. Merged into event_cases.CASES."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kluis.approvals import services as approvals
from kluis.approvals.models import ApprovalRequest
from kluis.offboarding import revocation, services
from kluis.offboarding.models import Offboarding
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

HR = "hr@demo-bv.test"
OWNER = "owner@demo-bv.test"
LEAVER = "member3@demo-bv.test"


def _requested(tenant: Tenant) -> Offboarding:
    leaver = Employee.objects.for_tenant(tenant).get(work_email=LEAVER)
    return services.request_offboarding(
        actor_for(HR),
        leaver,
        {"last_day": "2026-12-31", "reason": "Resigned", "moment": "immediately"},
    )


def _approved(tenant: Tenant) -> Offboarding:
    offboarding = _requested(tenant)
    request = ApprovalRequest.objects.get(pk=offboarding.approval_request_id)
    approvals.approve(actor_for(OWNER), request)
    offboarding.refresh_from_db()
    return offboarding


def requested(tenant: Tenant) -> int:
    return _requested(tenant).pk


def approved(tenant: Tenant) -> int:
    return _approved(tenant).pk


def executed(tenant: Tenant) -> int:
    offboarding = _approved(tenant)
    assert revocation.execute(offboarding.pk)
    return offboarding.pk


OFFBOARDING_CASES: dict[str, Callable[[Tenant], Any]] = {
    "offboarding.requested": requested,
    "offboarding.approved": approved,
    "offboarding.executed": executed,
}
