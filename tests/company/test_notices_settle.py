"""The two-person rule's "waits for your approval" notices are settled once the request
is closed (decided, withdrawn or expired): they stay in the inbox, read, and the badge
drops. The requester's own notices and another company's stay as they are."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kluis.approvals import services
from kluis.company.models import Notice
from kluis.company.notices import settle, unread
from kluis.tenancy.models import Tenant
from tests.approvals.helpers import HR, OWNER, held_owner_grant, second_owner
from tests.conftest import actor_for, member

REQUESTED = "approvals.requested"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    second_owner(demo["demo-bv"])
    return demo["demo-bv"]


def _waiting(email: str, url: str) -> Notice:
    [notice] = Notice.objects.filter(membership=member(email, "demo-bv"), topic=REQUESTED, url=url)
    return notice


@pytest.mark.parametrize("ending", ["approved", "rejected", "withdrawn", "expired"])
def test_a_closed_request_waits_in_nobodys_inbox(tenant: Tenant, ending: str) -> None:
    request = held_owner_grant(tenant)
    url = f"/approvals/{request.pk}/"
    hr = actor_for(HR, "demo-bv")
    assert _waiting(HR, url).read_at is None
    before = unread(hr)
    if ending == "approved":
        services.approve(hr, request)
    elif ending == "rejected":
        services.reject(hr, request, "Not now")
    elif ending == "withdrawn":
        services.withdraw(actor_for(OWNER, "demo-bv"), request)
    else:
        services.expire_due(timezone.now() + dt.timedelta(hours=73))
    assert _waiting(HR, url).read_at is not None
    assert unread(hr) == before - 1


def test_the_requesters_notice_and_another_companys_stay_unread(
    tenant: Tenant, demo: dict[str, Tenant]
) -> None:
    request = held_owner_grant(tenant)
    url = f"/approvals/{request.pk}/"
    theirs = Notice.objects.create(
        tenant=demo["other-nv"],
        membership=member("hr@other-nv.test", "other-nv"),
        topic=REQUESTED,
        title="Elsewhere",
        url=url,
    )
    services.reject(actor_for(HR, "demo-bv"), request, "Not now")
    theirs.refresh_from_db()
    assert theirs.read_at is None
    [told] = Notice.objects.filter(membership=member(OWNER, "demo-bv"), url=url)
    assert told.topic == "approvals.decided" and told.read_at is None


def test_settle_touches_only_that_kind_and_page(tenant: Tenant) -> None:
    hr = member(HR, "demo-bv")
    kept = [
        Notice.objects.create(tenant=tenant, membership=hr, topic=REQUESTED, title="a", url="/x/"),
        Notice.objects.create(tenant=tenant, membership=hr, topic="other", title="b", url="/y/"),
    ]
    gone = Notice.objects.create(
        tenant=tenant, membership=hr, topic=REQUESTED, title="c", url="/y/"
    )
    assert settle(tenant.pk, topic=REQUESTED, url="/y/") == 1
    gone.refresh_from_db()
    assert gone.read_at is not None
    for notice in kept:
        notice.refresh_from_db()
        assert notice.read_at is None
