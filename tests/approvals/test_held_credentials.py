"""`api_credentials.write` under the two-person rule: an API key, API client or OAuth
client with a write scope waits for a second approver; once approved it is made (for the
requester) and its secret is shown once to the REQUESTER only, never to the approver."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.holds import HeldForApproval
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.integrations.models import ApiClient, ApiKey
from kluis.integrations.services import create_api_client, create_api_key, create_oauth_client
from kluis.tenancy.models import Membership, Tenant
from tests.approvals.held import HR, OWNER, applied_event, both_names, choose
from tests.conftest import actor_for, member

KEY = "api_credentials.write"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def held_key(tenant: Tenant, scopes: list[str] | None = None) -> ApprovalRequest:
    with pytest.raises(HeldForApproval) as held:
        create_api_key(
            actor_for(HR, "demo-bv"), tenant, "Payroll sync", scopes or ["employees:write"]
        )
    return ApprovalRequest.objects.select_related("tenant").get(pk=held.value.request_id)


def test_a_key_with_a_write_scope_is_held_and_nothing_is_made(tenant: Tenant) -> None:
    choose(tenant, KEY)
    keys = ApiKey.objects.count()
    request = held_key(tenant, ["employees:read", "employees:write"])
    assert ApiKey.objects.count() == keys
    assert request.status == Status.PENDING and request.requested_by_label == HR
    assert request.payload["scopes"] == ["employees:read", "employees:write"]
    assert not request.sealed  # no secret exists yet


def test_read_only_scopes_and_unchosen_companies_are_not_held(tenant: Tenant) -> None:
    choose(tenant, KEY)
    create_api_key(actor_for(HR, "demo-bv"), tenant, "Reader", ["employees:read"])
    choose(tenant)
    create_api_key(actor_for(HR, "demo-bv"), tenant, "Writer", ["employees:write"])
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_approved_the_key_is_made_and_its_secret_shown_once_to_the_requester(
    tenant: Tenant, login: Any, client: Any
) -> None:
    choose(tenant, KEY)
    request = held_key(tenant, ["employees:read", "employees:write"])
    with pytest.raises(PermissionDenied):  # never the requester
        services.approve(actor_for(HR, "demo-bv"), request)
    done = services.approve(actor_for(OWNER, "demo-bv"), request)
    key = ApiKey.objects.select_related("client").get(prefix=done.result["prefix"])
    assert key.client.created_by_label == HR  # made for the requester (offboarding finds it)
    both_names(applied_event("api_key.created"), request, OWNER)
    url = done.result["url"]
    assert url == f"/integrations/credentials/{request.pk}/"
    assert set(done.result) == {"url", "prefix"}  # the approver's answer has no secret
    # The approver is sent to the request; the secret stays sealed for the requester.
    owner = login(OWNER, "demo-bv")
    assert owner.post(url)["Location"] == f"/approvals/{request.pk}/"
    client.logout()
    hr = login(HR, "demo-bv")
    assert 'data-testid="credential-reveal"' in hr.get(url).content.decode()
    page = hr.post(url).content.decode()
    plaintext = re.search(r'data-testid="credential-value">([^<]+)<', page).group(1)
    assert plaintext.startswith(key.prefix)
    assert applied_event("api_credential.secret_handed_over").actor_label == HR
    again = hr.post(url)
    assert again.status_code == 410 and plaintext not in again.content.decode()
    assert "handover" not in services.sealed_part(ApprovalRequest.objects.get(pk=request.pk))
    client.logout()
    works = client.get("/api/v1/employees/", headers={"authorization": f"Bearer {plaintext}"})
    assert works.status_code == 200


@pytest.mark.parametrize("kind", ["api_client", "oauth_client"])
def test_clients_with_a_write_scope_are_held_and_applied_too(tenant: Tenant, kind: str) -> None:
    choose(tenant, KEY)
    make = create_api_client if kind == "api_client" else create_oauth_client
    clients = ApiClient.objects.count()
    with pytest.raises(HeldForApproval) as held:
        make(actor_for(HR, "demo-bv"), tenant, "Sync", ["timeoff:write"])
    assert ApiClient.objects.count() == clients
    request = ApprovalRequest.objects.get(pk=held.value.request_id)
    done = services.approve(actor_for(OWNER, "demo-bv"), request)
    assert ApiClient.objects.count() == clients + 1
    handover = services.sealed_part(ApprovalRequest.objects.get(pk=request.pk))["handover"]
    assert handover["kind"] == kind and handover["secret"]
    assert handover["secret"] not in json.dumps(done.result)
    assert done.result["client_id"] == handover["client_id"]


def test_a_requester_who_left_meanwhile_makes_it_stale(tenant: Tenant) -> None:
    choose(tenant, KEY)
    request = held_key(tenant)
    Membership.objects.filter(pk=member(HR, "demo-bv").pk).update(is_active=False)
    keys = ApiKey.objects.count()
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    assert ApiKey.objects.count() == keys


def test_the_web_form_takes_hr_to_the_waiting_request(tenant: Tenant, login: Any) -> None:
    choose(tenant, KEY)
    hr = login(HR, "demo-bv")
    page = hr.get("/integrations/api-keys/").content.decode()
    once = re.search(r'name="once" value="([^"]+)"', page).group(1)
    response = hr.post(
        "/integrations/api-keys/",
        {"name": "Payroll sync", "scopes": ["employees:write"], "once": once},
    )
    request = ApprovalRequest.objects.get(action=KEY)
    assert response.status_code == 302 and response["Location"] == f"/approvals/{request.pk}/"
