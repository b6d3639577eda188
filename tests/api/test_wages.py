"""/api/v1/wages/ and /api/v1/wage-components/: wages:read to read (audited once per
request, naming the employees), employees:write + wages:read to create through the
contract services; 404 across companies; bad input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Wage, WageComponent
from tests.api.conftest import assert_problem

WAGES = "/api/v1/wages/"
COMPONENTS = "/api/v1/wage-components/"
BONUS = {"kind": "bonus", "amount": "1500.00", "recurring": False, "start_date": "2026-12-15"}


def body(response: Any) -> Any:
    return json.loads(response.content)


def worker() -> Employee:
    return Employee.objects.get(tenant__slug="demo-bv", work_email="member1@demo-bv.test")


def viewed() -> Any:
    return AuditEvent.objects.filter(action="employee.sensitive_viewed").order_by("pk")


def test_listing_wages_gives_decimal_strings_and_is_audited_once(api):
    client = api(["wages:read"])
    before = viewed().count()
    response = client.get(WAGES + "?page_size=200")
    assert response.status_code == 200
    rows = body(response)["results"]
    assert rows and all(isinstance(r["amount"], str) and "." in r["amount"] for r in rows)
    assert {r["currency"] for r in rows} <= {"EUR", "USD", "GBP", "CHF"}
    assert viewed().count() == before + 1
    event = viewed().last()
    assert event.changes["fields"] == ["wages"]
    named = set(event.changes.get("employees") or [int(event.object_id)])
    assert named == {r["employee"] for r in rows}
    tenants = set(Employee.objects.filter(pk__in=named).values_list("tenant__slug", flat=True))
    assert tenants == {"demo-bv"}


def test_filter_by_employee_and_read_one_with_etag(api):
    client = api(["wages:read"])
    rows = body(client.get(f"{WAGES}?employee={worker().pk}"))["results"]
    assert rows and {r["employee"] for r in rows} == {worker().pk}
    response = client.get(f"{WAGES}{rows[0]['id']}/")
    assert response.status_code == 200 and body(response) == rows[0]
    assert response["ETag"].startswith(f'W/"{rows[0]["id"]}-')
    event = viewed().last()
    assert event.object_id == str(worker().pk) and event.changes["fields"] == ["wages"]


@pytest.mark.parametrize("url", [WAGES, COMPONENTS])
def test_without_wages_read_it_is_403(api, url):
    assert_problem(api(["employees:read", "employees:write"]).get(url), 403)


def test_another_companys_wage_is_404(api):
    other = Wage.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{WAGES}{other.pk}/"), 404)


def test_setting_a_wage_needs_employees_write_and_wages_read(api):
    new = {"employee": worker().pk, "effective_from": "2027-01-01", "amount": "3400"}
    count = Wage.objects.count()
    assert_problem(api(["wages:read"]).post(WAGES, new), 403)
    assert_problem(api(["employees:read", "employees:write"]).post(WAGES, new), 403)
    assert Wage.objects.count() == count


def test_setting_a_wage(api):
    new = {"employee": worker().pk, "effective_from": "2027-01-01", "amount": "3400.5"}
    response = api().post(WAGES, new)
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["amount"] == "3400.50" and created["currency"] == "EUR"
    assert response["Location"] == f"{WAGES}{created['id']}/"
    assert AuditEvent.objects.filter(action="wage.set", object_id=str(created["id"])).exists()


def test_invalid_wage_is_422_and_writes_nothing(api):
    client = api()
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    count = Wage.objects.count()
    problem = assert_problem(
        client.post(WAGES, {"employee": worker().pk, "amount": "lots", "currency": "XYZ"}), 422
    )
    assert {e["field"] for e in problem["errors"]} == {"amount", "effective_from"}
    bad = {"employee": worker().pk, "amount": "10", "effective_from": "2027-01-01"}
    problem = assert_problem(client.post(WAGES, {**bad, "currency": "XYZ"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["currency"]
    problem = assert_problem(client.post(WAGES, {**bad, "employee": other.pk}), 422)
    assert problem["errors"] == [{"field": "employee", "message": "Choose one from the list."}]
    assert Wage.objects.count() == count


def test_adding_and_reading_a_wage_component(api):
    client = api()
    response = client.post(COMPONENTS, {**BONUS, "employee": worker().pk})
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["amount"] == "1500.00" and created["end_date"] == "2026-12-15"
    assert created["recurring"] is False
    before = viewed().count()
    rows = body(client.get(f"{COMPONENTS}?employee={worker().pk}&kind=bonus"))["results"]
    assert created["id"] in {r["id"] for r in rows}
    assert viewed().count() == before + 1
    assert viewed().last().changes["fields"] == ["wage_components"]
    response = client.get(f"{COMPONENTS}{created['id']}/")
    assert response.status_code == 200 and response["ETag"]


def test_wage_components_across_companies_and_bad_input(api):
    client = api()
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    count = WageComponent.objects.count()
    problem = assert_problem(client.post(COMPONENTS, {**BONUS, "employee": other.pk}), 422)
    assert problem["errors"][0]["field"] == "employee"
    problem = assert_problem(
        client.post(COMPONENTS, {**BONUS, "employee": worker().pk, "kind": "yacht"}), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["kind"]
    problem = assert_problem(
        client.post(
            COMPONENTS,
            {**BONUS, "employee": worker().pk, "recurring": True, "end_date": "2026-01-01"},
        ),
        422,
    )
    assert [e["field"] for e in problem["errors"]] == ["end_date"]
    assert_problem(api(["wages:read"]).post(COMPONENTS, {**BONUS, "employee": worker().pk}), 403)
    assert WageComponent.objects.count() == count
    mine = WageComponent.objects.create(
        tenant=other.tenant, employee=other, kind="car", amount_sealed="", start_date="2026-01-01"
    )
    assert_problem(client.get(f"{COMPONENTS}{mine.pk}/"), 404)
