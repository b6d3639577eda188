"""The two-person rule's pages: the lists, one request with its change (masked values
for a reader without the permission), approve, reject, withdraw; the requester cannot
approve, not even by a POST made by hand; another company's request is a 404; the
settings page saves the company's choice."""

from __future__ import annotations

import pytest
from django.test import Client

from kluis.access.models import RoleAssignment
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.tenancy.models import Tenant
from tests.approvals.helpers import (
    HR,
    MEMBER,
    OWNER,
    held_owner_grant,
    role,
    second_owner,
    signed_in,
)
from tests.conftest import actor_for, member

AUDITOR = "auditor@demo-bv.test"
GRANT = "role.grant_privileged"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


@pytest.fixture
def request_(tenant: Tenant) -> ApprovalRequest:
    second_owner(tenant)
    return held_owner_grant(tenant)


def _is_owner(email: str, tenant: Tenant) -> bool:
    return RoleAssignment.objects.filter(
        membership=member(email, "demo-bv"), role=role(tenant, "owner")
    ).exists()


def test_granting_owner_in_the_browser_takes_the_owner_to_the_waiting_request(
    tenant: Tenant,
) -> None:
    second_owner(tenant)
    browser = signed_in(OWNER)
    target = member(MEMBER, "demo-bv")
    response = browser.post(
        f"/members/{target.pk}/roles/grant/", {"role": role(tenant, "owner").pk}, secure=True
    )
    request = ApprovalRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{request.pk}/"
    page = browser.get(response["Location"], secure=True).content.decode()
    assert "a second person must approve it" in page
    assert 'data-testid="approve-form"' not in page
    assert 'data-testid="withdraw-form"' in page
    assert not _is_owner(MEMBER, tenant)


def test_the_lists_show_what_waits_for_me_and_what_i_asked(
    tenant: Tenant, request_: ApprovalRequest
) -> None:
    waiting = signed_in(HR).get("/approvals/", secure=True).content.decode()
    assert f"/approvals/{request_.pk}/" in waiting
    # The requester: nothing waits for them; their own request under "My requests".
    owner = signed_in(OWNER)
    assert (
        f"/approvals/{request_.pk}/" not in owner.get("/approvals/", secure=True).content.decode()
    )
    mine = owner.get("/approvals/?show=mine", secure=True).content.decode()
    assert f"/approvals/{request_.pk}/" in mine
    # Filtered by a status it does not have: gone.
    rejected = owner.get("/approvals/?show=mine&status=rejected", secure=True).content.decode()
    assert f"/approvals/{request_.pk}/" not in rejected
    # An auditor reads all of them.
    everything = signed_in(AUDITOR).get("/approvals/?show=all", secure=True).content.decode()
    assert f"/approvals/{request_.pk}/" in everything


def test_the_detail_shows_the_change_and_who_asked(request_: ApprovalRequest) -> None:
    page = signed_in(HR).get(f"/approvals/{request_.pk}/", secure=True).content.decode()
    assert OWNER in page
    assert "Owner" in page
    assert 'data-testid="approve-form"' in page
    assert 'data-testid="reject-form"' in page


def test_a_masked_value_is_shown_only_to_a_reader_with_its_permission(tenant: Tenant) -> None:
    second_owner(tenant)
    request = services.submit(
        actor_for(OWNER, "demo-bv"),
        "approvals.policy",
        tenant=tenant,
        payload={},
        changes=[
            {
                "field": "iban",
                "label": "Bank account",
                "old": "BE68 5390 0754 7034",
                "new": "BE71 0961 2345 6769",
                "reveal": "people.view_bank",
            }
        ],
    )
    assert "BE71" not in str(ApprovalRequest.objects.get(pk=request.pk).changes)
    hr_page = signed_in(HR).get(f"/approvals/{request.pk}/", secure=True).content.decode()
    assert "BE71 0961 2345 6769" in hr_page
    auditor_page = signed_in(AUDITOR).get(f"/approvals/{request.pk}/", secure=True)
    assert auditor_page.status_code == 200
    assert "BE71" not in auditor_page.content.decode()
    assert "you may not read this value" in auditor_page.content.decode()


def test_only_the_requester_deciders_and_audit_readers_see_a_request(
    request_: ApprovalRequest,
) -> None:
    url = f"/approvals/{request_.pk}/"
    assert signed_in(OWNER).get(url, secure=True).status_code == 200
    assert signed_in(AUDITOR).get(url, secure=True).status_code == 200
    assert signed_in("manager@demo-bv.test").get(url, secure=True).status_code == 404
    assert signed_in(MEMBER).get(url, secure=True).status_code == 404
    other = signed_in("owner@other-nv.test", "other-nv")
    assert other.get(url, secure=True).status_code == 404
    assert other.post(f"{url}approve/", {"confirmed": "1"}, secure=True).status_code == 404


def test_a_second_owner_approves_after_confirming(
    tenant: Tenant, request_: ApprovalRequest
) -> None:
    browser = signed_in(HR)
    url = f"/approvals/{request_.pk}/approve/"
    asking = browser.post(url, secure=True)
    assert asking.status_code == 200
    assert b"Approve and apply" in asking.content
    assert not _is_owner(MEMBER, tenant)
    done = browser.post(url, {"confirmed": "1"}, secure=True)
    assert done.status_code == 302
    request_.refresh_from_db()
    assert request_.status == Status.APPROVED
    assert request_.decided_by_label == HR
    assert _is_owner(MEMBER, tenant)


def test_the_requester_cannot_approve_even_by_a_post_made_by_hand(
    tenant: Tenant, request_: ApprovalRequest
) -> None:
    browser = signed_in(OWNER)
    response = browser.post(f"/approvals/{request_.pk}/approve/", {"confirmed": "1"}, secure=True)
    assert response.status_code == 403
    response = browser.post(f"/approvals/{request_.pk}/reject/", {"reason": "x"}, secure=True)
    assert response.status_code == 403
    request_.refresh_from_db()
    assert request_.status == Status.PENDING
    assert not _is_owner(MEMBER, tenant)


def test_reject_needs_a_reason(tenant: Tenant, request_: ApprovalRequest) -> None:
    browser = signed_in(HR)
    url = f"/approvals/{request_.pk}/reject/"
    refused = browser.post(url, {"reason": "  "}, secure=True)
    assert refused.status_code == 400
    assert b"Say why the request is rejected." in refused.content
    assert browser.post(url, {"reason": "Not yet"}, secure=True).status_code == 302
    request_.refresh_from_db()
    assert (request_.status, request_.decision_reason) == (Status.REJECTED, "Not yet")
    assert not _is_owner(MEMBER, tenant)


def test_the_requester_withdraws(request_: ApprovalRequest) -> None:
    url = f"/approvals/{request_.pk}/withdraw/"
    assert signed_in(HR).post(url, {"confirmed": "1"}, secure=True).status_code == 302
    request_.refresh_from_db()
    assert request_.status == Status.PENDING  # not theirs to withdraw
    browser = signed_in(OWNER)
    assert browser.post(url, secure=True).status_code == 200  # the confirmation
    assert browser.post(url, {"confirmed": "1"}, secure=True).status_code == 302
    request_.refresh_from_db()
    assert request_.status == Status.WITHDRAWN


def test_the_settings_page_saves_the_choice_and_turning_off_waits(tenant: Tenant) -> None:
    browser = signed_in(OWNER)
    page = browser.get("/settings/approvals/", secure=True)
    assert page.status_code == 200
    assert b"Grant Owner, HR admin or Auditor" in page.content
    saved = browser.post(
        "/settings/approvals/",
        {"actions": [GRANT, "approvals.policy"], "wage_change_percent": 5, "expiry_hours": 48},
        secure=True,
    )
    assert saved.status_code == 302
    policy = services.policy_for(tenant)
    assert (policy.actions, policy.wage_change_percent, policy.expiry_hours) == (
        ["approvals.policy", GRANT],
        5,
        48,
    )
    bad = browser.post(
        "/settings/approvals/",
        {"actions": ["no.such"], "wage_change_percent": 0, "expiry_hours": 48},
        secure=True,
    )
    assert bad.status_code == 400
    # Turning it off is held: the owner is taken to the waiting request.
    off = browser.post(
        "/settings/approvals/", {"wage_change_percent": 5, "expiry_hours": 48}, secure=True
    )
    request = ApprovalRequest.objects.get(action="approvals.policy")
    assert off["Location"] == f"/approvals/{request.pk}/"
    assert services.policy_for(tenant).actions == ["approvals.policy", GRANT]
    assert signed_in(HR).get("/settings/approvals/", secure=True).status_code == 403


def test_approving_asks_for_a_recent_sign_in_first(
    tenant: Tenant, request_: ApprovalRequest, client: Client
) -> None:
    client.force_login(member(HR, "demo-bv").user)  # no password confirmed in this session
    response = client.post(f"/approvals/{request_.pk}/approve/", {"confirmed": "1"}, secure=True)
    assert response.status_code == 302
    assert "/reauthenticate/" in response["Location"]
    request_.refresh_from_db()
    assert request_.status == Status.PENDING
    assert not _is_owner(MEMBER, tenant)


def test_the_navigation_counts_what_waits_for_me(request_: ApprovalRequest) -> None:
    page = signed_in(HR).get("/approvals/?show=mine", secure=True).content.decode()
    assert 'data-testid="nav-badge"' in page
    assert ">1<" in page.split('data-testid="nav-badge"')[1][:120]
    requester = signed_in(OWNER).get("/approvals/", secure=True).content.decode()
    assert 'data-testid="nav-badge"' not in requester  # their own request is not counted
