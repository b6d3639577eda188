"""`bank_account.change_for_other` under the two-person rule: HR changing someone's bank
account waits for a second approver (the whole edit, the values sealed); an employee
changing their own never does. Through the service, the web form and the API."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.holds import HeldForApproval
from kluis.approvals import services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.people.models import Employee
from kluis.people.records import sealed_value
from kluis.people.services.employees import update_employee
from kluis.tenancy.models import Tenant
from tests.approvals.held import HR, MANAGER, OWNER, applied_event, both_names, choose, shown
from tests.conftest import actor_for

KEY = "bank_account.change_for_other"
NEW_IBAN = "BE71096123456769"
MEMBER = "member1@demo-bv.test"


@pytest.fixture
def tenant(demo: dict[str, Tenant]) -> Tenant:
    return demo["demo-bv"]


def worker() -> Employee:
    return Employee.objects.select_related("tenant").get(tenant__slug="demo-bv", work_email=MEMBER)


def held_request(**more: Any) -> ApprovalRequest:
    employee = worker()
    with pytest.raises(HeldForApproval) as held:
        update_employee(
            actor_for(HR, "demo-bv"),
            employee,
            {"iban": NEW_IBAN, **more},
            expected_version=employee.version,
        )
    return ApprovalRequest.objects.select_related("tenant").get(pk=held.value.request_id)


def test_hr_changing_someones_bank_account_is_held_with_the_values_sealed(
    tenant: Tenant,
) -> None:
    choose(tenant, KEY)
    before = worker()
    old_iban = sealed_value(before, "iban")
    request = held_request(preferred_name="Nick")
    after = worker()
    assert (after.version, sealed_value(after, "iban")) == (before.version, old_iban)
    assert after.preferred_name == before.preferred_name  # the whole edit waits
    assert request.status == Status.PENDING and request.target_id == str(before.pk)
    assert NEW_IBAN not in json.dumps([request.payload, request.changes])
    assert shown(request, MANAGER)["iban"] == (None, None, True)
    assert shown(request, MANAGER)["preferred_name"][1] == "Nick"
    assert shown(request, OWNER)["iban"] == (old_iban, NEW_IBAN, False)


def test_an_employee_changing_their_own_bank_account_is_never_held(tenant: Tenant) -> None:
    choose(tenant, KEY)
    me = actor_for(MEMBER, "demo-bv")
    me.reauthenticated = True  # type: ignore[attr-defined]
    employee = worker()
    update_employee(me, employee, {"iban": NEW_IBAN}, expected_version=employee.version)
    assert sealed_value(worker(), "iban") == NEW_IBAN
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_other_fields_and_unchosen_companies_are_not_held(tenant: Tenant) -> None:
    choose(tenant, KEY)
    employee = worker()
    update_employee(
        actor_for(HR, "demo-bv"),
        employee,
        {"preferred_name": "Nick"},
        expected_version=employee.version,
    )
    assert worker().preferred_name == "Nick"
    choose(tenant)
    employee = worker()
    update_employee(
        actor_for(HR, "demo-bv"), employee, {"iban": NEW_IBAN}, expected_version=employee.version
    )
    assert sealed_value(worker(), "iban") == NEW_IBAN
    assert not ApprovalRequest.objects.filter(action=KEY).exists()


def test_a_second_person_approves_and_the_edit_is_saved_with_both_names(tenant: Tenant) -> None:
    choose(tenant, KEY)
    request = held_request(preferred_name="Nick")
    with pytest.raises(PermissionDenied):
        services.approve(actor_for(HR, "demo-bv"), request)
    services.approve(actor_for(OWNER, "demo-bv"), request)
    after = worker()
    assert sealed_value(after, "iban") == NEW_IBAN and after.preferred_name == "Nick"
    event = applied_event("employee.updated")
    both_names(event, request, OWNER)
    assert NEW_IBAN not in json.dumps(event.changes)


def test_an_edit_meanwhile_makes_the_request_stale(tenant: Tenant) -> None:
    choose(tenant, KEY)
    request = held_request()
    employee = worker()
    update_employee(
        actor_for(OWNER, "demo-bv"),
        employee,
        {"preferred_name": "Meanwhile"},
        expected_version=employee.version,
    )
    with pytest.raises(services.StaleRequestError):
        services.approve(actor_for(OWNER, "demo-bv"), request)
    assert sealed_value(worker(), "iban") != NEW_IBAN


def test_the_api_answers_202(tenant: Tenant, api: Any) -> None:
    choose(tenant, KEY)
    employee = worker()
    client = api(["employees:read", "employees:write", "identity:read"])
    response = client.patch(
        f"/api/v1/employees/{employee.pk}/",
        {"iban": NEW_IBAN},
        headers={"if-match": f'W/"{employee.pk}-{employee.version}"'},
    )
    assert response.status_code == 202, response.content
    request = ApprovalRequest.objects.get(action=KEY)
    assert response["Location"] == f"/api/v1/approvals/{request.pk}/"
    assert sealed_value(worker(), "iban") != NEW_IBAN
