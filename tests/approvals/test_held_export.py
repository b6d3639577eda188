"""`people.export_sensitive` under the two-person rule: HR's export with identity, bank or
wage columns becomes a request (after asking); once a second person approves, the
REQUESTER downloads it once, audited with both names; the approver never gets the file."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.models import RoleAssignment
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.audit.models import AuditEvent
from kluis.tenancy.models import Tenant
from tests.approvals.held import HR, MANAGER, OWNER, applied_event, both_names, choose
from tests.conftest import actor_for, member

KEY = "people.export_sensitive"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def exports_made() -> int:
    return AuditEvent.objects.filter(action="people.exported").count()


def rows(response: Any) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def ask(login: Any) -> tuple[Any, ApprovalRequest]:
    client = login(HR, "demo-bv")
    page = client.get("/people/export.csv", {"q": ""})
    assert page.status_code == 200 and 'data-testid="confirm-page"' in page.content.decode()
    assert not ApprovalRequest.objects.filter(action=KEY).exists()  # asking stored nothing
    response = client.post("/people/export.csv", {"confirmed": "1"})
    request = ApprovalRequest.objects.select_related("tenant").get(action=KEY)
    assert response.status_code == 302 and response["Location"] == f"/approvals/{request.pk}/"
    return client, request


def test_a_sensitive_export_is_held_and_nothing_is_exported(tenant: Tenant, login: Any) -> None:
    choose(tenant, KEY)
    before = exports_made()
    _client, request = ask(login)
    assert exports_made() == before
    assert request.status == Status.PENDING and request.requested_by_label == HR
    assert request.payload["format"] == "csv" and "iban" in request.payload["columns"]
    assert {c.field for c in services.changes_for(request, actor_for(MANAGER, "demo-bv"))} == {
        "format",
        "filter",
        "sensitive_columns",
    }


def test_not_held_when_not_chosen_or_without_sensitive_columns(
    tenant: Tenant, login: Any, client: Any
) -> None:
    response = login(HR, "demo-bv").get("/people/export.csv")
    assert response.status_code == 200 and "iban" in rows(response)[0]
    choose(tenant, KEY)
    client.logout()
    response = login(MANAGER, "demo-bv").get("/people/export.csv")  # a team's contact data
    assert response.status_code == 200 and "iban" not in rows(response)[0]
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_after_approval_only_the_requester_downloads_it_once(
    tenant: Tenant, login: Any, client: Any
) -> None:
    choose(tenant, KEY)
    hr, request = ask(login)
    with pytest.raises(PermissionDenied):  # never the requester
        services.approve(actor_for(HR, "demo-bv"), request)
    done = services.approve(actor_for(OWNER, "demo-bv"), request)
    url = done.result["url"]
    assert url == f"/people/export/approved/{request.pk}/"
    both_names(applied_event("people.export_released"), request, OWNER)
    before = exports_made()
    # The approver is sent to the request: the file is not theirs.
    client.logout()
    owner = login(OWNER, "demo-bv")
    assert owner.get(url)["Location"] == f"/approvals/{request.pk}/"
    assert owner.post(url)["Location"] == f"/approvals/{request.pk}/"
    client.logout()
    hr = login(HR, "demo-bv")
    assert 'data-testid="export-download"' in hr.get(url).content.decode()
    response = hr.post(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "iban" in rows(response)[0]
    assert exports_made() == before + 1
    event = applied_event("people.exported")
    assert event.actor_label == HR
    assert event.changes["approval"]["approved_by"] == OWNER
    again = hr.post(url)  # once only
    assert again.status_code == 410 and 'data-testid="export-unavailable"' in again.content.decode()
    assert exports_made() == before + 1


def test_the_download_expires(tenant: Tenant, login: Any) -> None:
    choose(tenant, KEY)
    hr, request = ask(login)
    done = services.approve(actor_for(OWNER, "demo-bv"), request)
    ApprovalRequest.objects.filter(pk=request.pk).update(
        result={**done.result, "download_until": "2000-01-01T00:00:00+00:00"}
    )
    assert hr.post(done.result["url"]).status_code == 410


def test_a_requester_whose_readable_columns_changed_makes_it_stale(
    tenant: Tenant, login: Any
) -> None:
    choose(tenant, KEY)
    _hr, request = ask(login)
    # Meanwhile HR is made a plain employee: they may no longer read those columns.
    hr = member(HR, "demo-bv")
    RoleAssignment.objects.filter(membership=hr).exclude(role__builtin_key="employee").delete()
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    request.refresh_from_db()
    assert request.status == Status.STALE and not request.result
