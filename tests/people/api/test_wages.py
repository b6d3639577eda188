"""/api/v1/wages/ and /api/v1/wage-components/: wages:read to read (audited once per
request, naming the employees), employees:write + wages:read to create and to withdraw
planned pay through the contract services (pay in force is history: 409); 404 across
companies; bad input is 422 and writes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.audit.services import MASK
from kluis.people.models import Employee, Wage, WageComponent
from tests.api_client import assert_problem
from tests.people.api.writes import audited, delete, emitted, put

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
    assert int(viewed().last().object_id) == worker().pk  # one employee: named
    # Without the amount nothing sealed is opened, and nothing is recorded.
    rows = body(client.get(f"{COMPONENTS}?employee={worker().pk}&fields=id,label"))["results"]
    assert rows and all(set(r) == {"id", "label"} for r in rows)
    assert viewed().count() == before + 1
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


# --- withdrawing planned pay ------------------------------------------------------------


def later(days: int = 90) -> str:
    return (timezone.localdate() + dt.timedelta(days=days)).isoformat()


def plan_wage(client: Any) -> dict[str, Any]:
    new = {"employee": worker().pk, "effective_from": later(), "amount": "3400.00"}
    response = client.post(WAGES, new)
    assert response.status_code == 201, response.content
    return body(response)


def wage_in_force() -> Wage:
    return Wage.objects.filter(employee=worker(), effective_from__lte=timezone.localdate()).first()


def test_withdrawing_a_planned_wage_is_204_and_audited_without_the_amount(api):
    client = api()
    planned = plan_wage(client)
    version = worker().version
    etag = client.get(f"{WAGES}{planned['id']}/")["ETag"]
    response = delete(client, f"{WAGES}{planned['id']}/", {"If-Match": etag})
    assert response.status_code == 204 and response.content == b""
    assert not Wage.objects.filter(pk=planned["id"]).exists()
    event = audited("wage.deleted", planned["id"])
    assert event.changes["amount"] == {"old": MASK, "new": MASK}
    assert event.changes["effective_from"] == {"old": planned["effective_from"], "new": None}
    assert "3400" not in json.dumps(event.changes)
    assert emitted("wage.deleted", planned["id"])
    assert worker().version == version + 1


def test_a_wage_in_force_cannot_be_withdrawn_409(api):
    wage = wage_in_force()
    count = Wage.objects.count()
    problem = assert_problem(delete(api(), f"{WAGES}{wage.pk}/"), 409)
    assert "in force since" in problem["detail"]
    assert Wage.objects.count() == count


def test_withdrawing_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    client = api()
    planned = plan_wage(client)
    response = delete(client, f"{WAGES}{planned['id']}/", {"If-Match": 'W/"1-0000000000000000"'})
    assert_problem(response, 412)
    assert Wage.objects.filter(pk=planned["id"]).exists()


def test_withdrawing_a_wage_needs_employees_write_and_wages_read(api):
    planned = plan_wage(api())
    url = f"{WAGES}{planned['id']}/"
    assert_problem(delete(api(["wages:read"]), url), 403)
    assert_problem(delete(api(["employees:read", "employees:write"]), url), 403)
    assert Wage.objects.filter(pk=planned["id"]).exists()


def test_wages_offer_no_patch_or_put_and_components_change_only_their_end(api):
    client = api()
    wage = wage_in_force()
    component = body(client.post(COMPONENTS, {**BONUS, "employee": worker().pk}))
    url = f"{WAGES}{wage.pk}/"
    assert_problem(client.patch(url, {"amount": "1.00"}), 405)
    assert_problem(put(client, url, {"amount": "1.00"}), 405)
    assert Wage.objects.get(pk=wage.pk).amount_sealed == wage.amount_sealed
    url = f"{COMPONENTS}{component['id']}/"
    assert_problem(put(client, url, {"amount": "1.00"}), 405)
    problem = assert_problem(client.patch(url, {"amount": "1.00"}), 422)
    assert {e["field"] for e in problem["errors"]} == {"amount", "end_date"}
    assert body(client.get(url))["amount"] == "1500.00"


CAR = {"kind": "car", "label": "Company car", "amount": "450.00", "recurring": True}


def recurring_car(client: Any, start: str, end: str | None = None) -> dict[str, Any]:
    data = {**CAR, "employee": worker().pk, "start_date": start, "end_date": end}
    response = client.post(COMPONENTS, data)
    assert response.status_code == 201, response.content
    return body(response)


def test_a_recurring_component_is_ended_with_a_patch_of_its_end_date(api):
    client = api()
    car = recurring_car(client, later(-60))
    url = f"{COMPONENTS}{car['id']}/"
    etag = client.get(url)["ETag"]
    versions = worker().versions.count()
    end = later(30)
    response = client.patch(url, {"end_date": end}, {"If-Match": etag})
    assert response.status_code == 200, response.content
    ended = body(response)
    assert ended["end_date"] == end and ended["amount"] == "450.00"
    assert response["ETag"] != etag
    assert WageComponent.objects.get(pk=car["id"]).end_date.isoformat() == end
    event = audited("wage_component.ended", car["id"])
    assert event.changes["end_date"] == {"old": None, "new": end}
    assert "450" not in json.dumps(event.changes)
    assert emitted("wage_component.updated", car["id"])
    assert worker().versions.count() == versions + 1
    # A coming end may be moved; the old ETag is stale now.
    assert_problem(client.patch(url, {"end_date": later(60)}, {"If-Match": etag}), 412)
    moved = client.patch(url, {"end_date": later(60)}, {"If-Match": response["ETag"]})
    assert moved.status_code == 200 and body(moved)["end_date"] == later(60)


def test_ending_a_component_refuses_what_pay_history_does_not_allow(api):
    client = api()
    car = recurring_car(client, later(-60))
    url = f"{COMPONENTS}{car['id']}/"
    problem = assert_problem(client.patch(url, {"end_date": later(-61)}), 422)
    assert [e["field"] for e in problem["errors"]] == ["end_date"]
    assert_problem(client.patch(url, {}), 422)
    assert_problem(client.patch(url, {"end_date": "soon"}), 422)
    one_off = body(client.post(COMPONENTS, {**BONUS, "employee": worker().pk}))
    problem = assert_problem(
        client.patch(f"{COMPONENTS}{one_off['id']}/", {"end_date": later()}), 422
    )
    assert "one-off" in problem["errors"][0]["message"]
    returned = recurring_car(client, later(-60), later(-1))
    problem = assert_problem(
        client.patch(f"{COMPONENTS}{returned['id']}/", {"end_date": later(10)}), 409
    )
    assert "part of the pay history" in problem["detail"]
    assert WageComponent.objects.get(pk=returned["id"]).end_date.isoformat() == later(-1)
    assert WageComponent.objects.get(pk=car["id"]).end_date is None


def test_ending_a_component_needs_write_and_wages_scopes_and_the_same_company(api):
    car = recurring_car(api(), later(-60))
    url = f"{COMPONENTS}{car['id']}/"
    assert_problem(api(["employees:read", "wages:read"]).patch(url, {"end_date": later()}), 403)
    assert_problem(
        api(["employees:read", "employees:write"]).patch(url, {"end_date": later()}), 403
    )
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    theirs = WageComponent.objects.create(
        tenant=other.tenant, employee=other, kind="car", amount_sealed="", start_date=later(-5)
    )
    assert_problem(api().patch(f"{COMPONENTS}{theirs.pk}/", {"end_date": later()}), 404)
    assert WageComponent.objects.get(pk=theirs.pk).end_date is None
    assert WageComponent.objects.get(pk=car["id"]).end_date is None


def test_another_companys_wage_and_component_are_404_for_delete(api):
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    wage = Wage.objects.filter(employee=other).first()
    component = WageComponent.objects.create(
        tenant=other.tenant, employee=other, kind="car", amount_sealed="", start_date=later()
    )
    client = api()
    assert_problem(delete(client, f"{WAGES}{wage.pk}/"), 404)
    assert_problem(delete(client, f"{COMPONENTS}{component.pk}/"), 404)
    assert Wage.objects.filter(pk=wage.pk).exists()
    assert WageComponent.objects.filter(pk=component.pk).exists()


def test_withdrawing_a_planned_wage_component_is_204_and_audited(api):
    client = api()
    response = client.post(COMPONENTS, {**BONUS, "start_date": later(), "employee": worker().pk})
    assert response.status_code == 201, response.content
    planned = body(response)
    etag = client.get(f"{COMPONENTS}{planned['id']}/")["ETag"]
    response = delete(client, f"{COMPONENTS}{planned['id']}/", {"If-Match": etag})
    assert response.status_code == 204
    assert not WageComponent.objects.filter(pk=planned["id"]).exists()
    event = audited("wage_component.deleted", planned["id"])
    assert event.changes["amount"] == {"old": MASK, "new": MASK}
    assert "1500" not in json.dumps(event.changes)
    assert emitted("wage_component.deleted", planned["id"])


def test_a_wage_component_that_started_cannot_be_withdrawn_409(api):
    client = api()
    started = {**BONUS, "start_date": timezone.localdate().isoformat(), "employee": worker().pk}
    created = body(client.post(COMPONENTS, started))
    problem = assert_problem(delete(client, f"{COMPONENTS}{created['id']}/"), 409)
    assert "part of the pay history" in problem["detail"]
    assert WageComponent.objects.filter(pk=created["id"]).exists()
