"""`wage.change` under the two-person rule: a new wage more than the company's percentage
away from the wage in force waits for a second approver (amounts sealed, shown only to
whom may read wages); below it, or when not chosen, it is saved at once. Through the
service, the web form and the API (202 with the request's URL)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from kluis.access.holds import HeldForApproval
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.crypto import vault
from kluis.people.fields import WAGE_PURPOSE
from kluis.people.models import Employee, Wage
from kluis.people.services import pay
from kluis.tenancy.models import Tenant
from tests.approvals.held import HR, MANAGER, OWNER, applied_event, both_names, choose, shown
from tests.conftest import actor_for

KEY = "wage.change"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def worker() -> Employee:
    return Employee.objects.select_related("tenant").get(
        tenant__slug="demo-bv", work_email="member1@demo-bv.test"
    )


DAY = timezone.localdate() + dt.timedelta(days=800)


def in_force(employee: Employee) -> Wage:
    wage = Wage.objects.filter(employee=employee, effective_from__lt=DAY).latest("effective_from")
    return wage


def amount_of(wage: Wage) -> Decimal:
    return Decimal(vault.unseal(wage.tenant_id, WAGE_PURPOSE, wage.amount_sealed) or "0")


def data(factor: str, day: dt.date = DAY) -> dict[str, Any]:
    current = in_force(worker())
    new = (amount_of(current) * Decimal(factor)).quantize(Decimal("0.01"))
    return {
        "amount": str(new),
        "currency": current.currency,
        "period": current.period,
        "effective_from": day.isoformat(),
    }


def held_request(factor: str = "1.25") -> ApprovalRequest:
    with pytest.raises(HeldForApproval) as held:
        pay.set_wage(actor_for(HR, "demo-bv"), worker(), data(factor))
    return ApprovalRequest.objects.select_related("tenant").get(pk=held.value.request_id)


def test_a_change_below_the_percentage_is_saved_at_once(tenant: Tenant) -> None:
    choose(tenant, KEY, percent=10)
    wage = pay.set_wage(actor_for(HR, "demo-bv"), worker(), data("1.05"))
    assert wage.effective_from == DAY
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_a_change_above_the_percentage_is_held_with_the_amounts_sealed(tenant: Tenant) -> None:
    choose(tenant, KEY, percent=10)
    before = Wage.objects.filter(employee=worker()).count()
    old = amount_of(in_force(worker()))
    asked = data("1.25")
    request = held_request("1.25")
    assert Wage.objects.filter(employee=worker()).count() == before  # nothing changed
    assert request.status == Status.PENDING and request.requested_by_label == HR
    assert asked["amount"] not in json.dumps([request.payload, request.changes])
    # Who may not read wages sees the date, not the amounts; an owner sees both.
    assert shown(request, MANAGER)["amount"] == (None, None, True)
    assert shown(request, MANAGER)["effective_from"][1] == DAY.isoformat()
    old_text, new_text, masked = shown(request, OWNER)["amount"]
    assert not masked and f"{old:.2f}" in old_text and asked["amount"] in new_text


def test_the_percentage_is_the_companys(tenant: Tenant) -> None:
    choose(tenant, KEY, percent=30)
    pay.set_wage(actor_for(HR, "demo-bv"), worker(), data("1.25"))  # 25 % < 30 %
    choose(tenant, KEY, percent=20)
    with pytest.raises(HeldForApproval):  # a decrease counts as much as a raise
        pay.set_wage(actor_for(HR, "demo-bv"), worker(), data("0.7", DAY + dt.timedelta(days=1)))


def test_not_held_when_the_company_did_not_choose_it(tenant: Tenant) -> None:
    choose(tenant)
    pay.set_wage(actor_for(HR, "demo-bv"), worker(), data("2"))
    assert amount_of(in_force(worker())) > 0
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_a_second_person_approves_and_the_wage_is_set_with_both_names(tenant: Tenant) -> None:
    choose(tenant, KEY)
    asked = data("1.5")
    request = held_request("1.5")
    with pytest.raises(PermissionDenied):  # never the requester
        services.approve(actor_for(HR, "demo-bv"), request)
    with pytest.raises(PermissionDenied):  # nor who may not read wages
        services.approve(actor_for(MANAGER, "demo-bv"), request)
    done = services.approve(actor_for(OWNER, "demo-bv"), request)
    assert done.status == Status.APPROVED and done.result["url"].endswith("?tab=wages")
    wage = Wage.objects.get(employee=worker(), effective_from=DAY)
    assert f"{amount_of(wage):.2f}" == asked["amount"]
    both_names(applied_event("wage.set"), request, OWNER)


def test_a_wage_set_meanwhile_makes_the_request_stale(tenant: Tenant) -> None:
    choose(tenant, KEY)
    request = held_request()
    # Someone else sets a (small) change from another day meanwhile.
    pay.set_wage(actor_for(OWNER, "demo-bv"), worker(), data("1.01", DAY - dt.timedelta(days=3)))
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    request.refresh_from_db()
    assert request.status == Status.STALE
    assert not Wage.objects.filter(employee=worker(), effective_from=DAY).exists()


def test_the_web_form_takes_hr_to_the_waiting_request(tenant: Tenant, login: Any) -> None:
    choose(tenant, KEY)
    employee = worker()
    response = login(HR, "demo-bv").post(f"/people/{employee.pk}/wages/new/", data("1.4"))
    request = ApprovalRequest.objects.get(action=KEY)
    assert response.status_code == 302 and response["Location"] == f"/approvals/{request.pk}/"
    assert not Wage.objects.filter(employee=employee, effective_from=DAY).exists()


def test_the_api_answers_202_with_the_requests_url(tenant: Tenant, api: Any) -> None:
    choose(tenant, KEY)
    client = api(["employees:write", "wages:read"])
    body = {"employee": worker().pk, **data("1.5")}
    response = client.post("/api/v1/wages/", body)
    assert response.status_code == 202, response.content
    request = ApprovalRequest.objects.get(action=KEY)
    assert response["Location"] == f"/api/v1/approvals/{request.pk}/"
    assert json.loads(response.content)["approval"]["id"] == request.pk
    assert not Wage.objects.filter(employee=worker(), effective_from=DAY).exists()
    # Below the percentage the API creates it as before.
    small = {"employee": worker().pk, **data("1.02", DAY - dt.timedelta(days=1))}
    assert client.post("/api/v1/wages/", small).status_code == 201


def test_a_held_api_write_with_an_idempotency_key_keeps_its_request_and_replays(
    tenant: Tenant, api: Any
) -> None:
    choose(tenant, KEY)
    client = api(["employees:write", "wages:read"])
    body = {"employee": worker().pk, **data("1.5")}
    first = client.post("/api/v1/wages/", body, headers={"Idempotency-Key": "raise-1"})
    again = client.post("/api/v1/wages/", body, headers={"Idempotency-Key": "raise-1"})
    assert first.status_code == again.status_code == 202
    assert again["Idempotent-Replayed"] == "true"
    assert first["Location"] == again["Location"]
    request = ApprovalRequest.objects.get(action=KEY)  # one request, kept
    assert first["Location"] == f"/api/v1/approvals/{request.pk}/"
