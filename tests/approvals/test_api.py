"""`/api/v1/approvals/` and the 202 answer: a held role grant over the API answers 202
with the waiting request's URL; the request is listed and shown (masked values stay
masked); a second owner approves or rejects it with their app token; the requester's own
account never decides it, nor does an API client."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kluis.access.models import RoleAssignment
from kluis.approvals.models import ApprovalRequest, Status
from kluis.identity import signing_keys
from kluis.tenancy.models import Tenant
from tests.api_client import Api, assert_problem
from tests.approvals.helpers import HR, MEMBER, OWNER, held_owner_grant, role, second_owner
from tests.conftest import member
from tests.identity.app_token_helpers import reauthenticate, tokens


@pytest.fixture(autouse=True)
def _fresh_keys() -> Iterator[None]:
    signing_keys.forget()
    cache.clear()
    yield
    signing_keys.forget()
    cache.clear()


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    second_owner(demo["demo-bv"])
    return demo["demo-bv"]


def _as(email: str) -> Api:
    return Api(Client(), tokens(email)["access_token"])


def _post(api: Api, url: str, body: dict[str, Any]) -> Any:
    return api.client.post(
        url, json.dumps(body), content_type="application/json", headers=api._headers(None)
    )


def _is_owner(tenant: Tenant) -> bool:
    return RoleAssignment.objects.filter(
        membership=member(MEMBER, "demo-bv"), role=role(tenant, "owner")
    ).exists()


def test_a_held_grant_answers_202_with_the_requests_url(tenant: Tenant) -> None:
    owner = _as(OWNER)
    target = member(MEMBER, "demo-bv")
    response = _post(
        owner, f"/api/v1/memberships/{target.pk}/roles/", {"role": role(tenant, "owner").pk}
    )
    assert response.status_code == 202, response.content[:300]
    request = ApprovalRequest.objects.get()
    assert response["Location"] == f"/api/v1/approvals/{request.pk}/"
    assert response.json()["approval"]["id"] == request.pk
    assert not _is_owner(tenant)
    shown = owner.get(response["Location"])
    assert shown.status_code == 200
    body = shown.json()
    assert (body["status"], body["requested_by"], body["action"]) == (
        "pending",
        OWNER,
        "role.grant_privileged",
    )
    assert body["changes"] == [
        {"field": "role", "label": "Role", "old": None, "new": "Owner", "masked": False}
    ]
    # A grant that is not held is answered 201.
    done = _post(
        owner, f"/api/v1/memberships/{target.pk}/roles/", {"role": role(tenant, "manager").pk}
    )
    assert done.status_code == 201, done.content[:300]


def test_the_requester_cannot_approve_through_the_api(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    owner = _as(OWNER)
    assert_problem(_post(owner, f"/api/v1/approvals/{request.pk}/approve/", {}), 403)
    assert_problem(_post(owner, f"/api/v1/approvals/{request.pk}/reject/", {"reason": "mine"}), 403)
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert not _is_owner(tenant)


def test_an_api_client_reads_but_never_decides(tenant: Tenant, api: Callable[..., Api]) -> None:
    request = held_owner_grant(tenant)
    client = api(["audit:read"])
    listed = client.get("/api/v1/approvals/?status=pending")
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["results"]] == [request.pk]
    body = assert_problem(_post(client, f"/api/v1/approvals/{request.pk}/approve/", {}), 403)
    assert "Only a person" in body["detail"]
    assert_problem(api(["employees:read"]).get("/api/v1/approvals/"), 403)
    request.refresh_from_db()
    assert request.status == Status.PENDING


def test_a_second_owner_approves_with_their_app_token(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    hr = _as(HR)
    stale = _post(hr, f"/api/v1/approvals/{request.pk}/approve/", {"version": 7})
    assert_problem(stale, 412)
    response = _post(hr, f"/api/v1/approvals/{request.pk}/approve/", {"version": 1})
    assert response.status_code == 200, response.content[:300]
    assert (response.json()["status"], response.json()["decided_by"]) == ("approved", HR)
    assert _is_owner(tenant)


def test_approving_through_an_app_asks_for_a_recent_factor(
    tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Approving applies the held action (here: makes someone an Owner): as on the web,
    a sign-in whose last factor is older than ten minutes confirms it again first."""
    import time

    from django.conf import settings

    from kluis.identity import stepup

    request = held_owner_grant(tenant)
    app = tokens(HR)
    hr = Api(Client(), app["access_token"])
    later = time.time() + settings.STEPUP_SECONDS + 1
    monkeypatch.setattr(stepup.time, "time", lambda: later)
    refused = _post(hr, f"/api/v1/approvals/{request.pk}/approve/", {"version": 1})
    body = assert_problem(refused, 403)
    assert "re-authenticate" in body["detail"]
    request.refresh_from_db()
    assert request.status == Status.PENDING
    assert not _is_owner(tenant)
    confirmed = reauthenticate(app["session_token"])
    assert confirmed.status_code == 200, confirmed.content[:300]
    response = _post(hr, f"/api/v1/approvals/{request.pk}/approve/", {"version": 1})
    assert response.status_code == 200, response.content[:300]
    assert _is_owner(tenant)


def test_a_rejection_needs_a_reason(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    hr = _as(HR)
    assert_problem(_post(hr, f"/api/v1/approvals/{request.pk}/reject/", {}), 422)
    response = _post(hr, f"/api/v1/approvals/{request.pk}/reject/", {"reason": "Not now"})
    assert response.status_code == 200, response.content[:300]
    assert response.json()["decision_reason"] == "Not now"
    assert not _is_owner(tenant)


def test_a_member_sees_only_the_requests_they_may_see(tenant: Tenant) -> None:
    request = held_owner_grant(tenant)
    # The auditor reads all; HR's token (a decider) too; another company's key nothing.
    assert _as("auditor@demo-bv.test").get(f"/api/v1/approvals/{request.pk}/").status_code == 200
    assert _as(HR).get(f"/api/v1/approvals/{request.pk}/").status_code == 200
