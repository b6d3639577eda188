"""Who hears of a request: everyone who may decide it finds it in their inbox (never the
requester); the requester hears how it ended; webhook events are thin (the request's id,
action and status, never the change's values)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest
from kluis.company.models import Notice
from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue
from kluis.tenancy.models import Tenant
from tests.approvals.helpers import HR, MEMBER, OWNER, held_owner_grant, second_owner
from tests.conftest import actor_for, member


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    second_owner(demo["demo-bv"])
    return demo["demo-bv"]


def _notices(email: str, topic: str) -> list[Notice]:
    return list(Notice.objects.filter(membership=member(email, "demo-bv"), topic=topic))


def test_the_deciders_find_the_request_in_their_inbox_not_the_requester(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    [notice] = _notices(HR, "approvals.requested")
    assert notice.url == f"/approvals/{request.pk}/"
    assert OWNER in notice.title
    assert _notices(OWNER, "approvals.requested") == []
    # Nobody without the approve permission is told.
    assert _notices(MEMBER, "approvals.requested") == []
    assert _notices("auditor@demo-bv.test", "approvals.requested") == []


@pytest.mark.parametrize("ending", ["approved", "rejected", "expired"])
def test_the_requester_hears_how_it_ended(tenant: Tenant, ending: str) -> None:
    request = held_owner_grant(tenant)
    if ending == "approved":
        services.approve(actor_for(HR, "demo-bv"), request)
    elif ending == "rejected":
        services.reject(actor_for(HR, "demo-bv"), request, "Not this quarter")
    else:
        services.expire_due(timezone.now() + dt.timedelta(hours=73))
    [notice] = _notices(OWNER, "approvals.decided")
    assert notice.url == f"/approvals/{request.pk}/"
    if ending == "rejected":
        assert "Not this quarter" in notice.body
    assert _notices(HR, "approvals.decided") == []


def test_events_are_catalogued_and_thin(tenant: Tenant) -> None:
    for verb in ("requested", "approved", "rejected", "expired"):
        event_type = catalogue.get(f"approval.{verb}")
        assert event_type is not None and event_type.example_object["id"]
    request = held_owner_grant(tenant)
    services.approve(actor_for(HR, "demo-bv"), request)
    events = DomainEvent.objects.filter(
        object_type="approvals.approvalrequest", object_id=str(request.pk)
    ).order_by("pk")
    assert [e.name for e in events] == ["approval.requested", "approval.approved"]
    assert events[0].payload == {
        "id": request.pk,
        "action": "role.grant_privileged",
        "status": "pending",
    }
    assert "Owner" not in str([e.payload for e in events])


def test_a_withdrawal_sends_no_event_of_its_own(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    services.withdraw(actor_for(OWNER, "demo-bv"), request)
    names = DomainEvent.objects.filter(
        name__startswith="approval.", object_id=str(request.pk)
    ).values_list("name", flat=True)
    assert list(names) == ["approval.requested"]
    assert ApprovalRequest.objects.get(pk=request.pk).status == "withdrawn"
