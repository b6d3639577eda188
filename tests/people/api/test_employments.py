"""/api/v1/employments/: contracts read with employees:read; added and ended through the
contract services with employees:write; If-Match on ending; 404 across companies; bad
input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment
from tests.api_client import assert_problem

URL = "/api/v1/employments/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def worker() -> Employee:
    return Employee.objects.get(tenant__slug="demo-bv", work_email="member1@demo-bv.test")


def open_contract() -> Employment:
    return Employment.objects.filter(employee=worker(), end_date__isnull=True).first()


def test_listing_filters_by_employee(api):
    client = api(["employees:read"])
    rows = body(client.get(f"{URL}?employee={worker().pk}"))["results"]
    assert rows and {r["employee"] for r in rows} == {worker().pk}
    assert set(rows[0]) >= {"contract_type", "start_date", "end_date", "hours_per_week"}
    assert isinstance(rows[0]["hours_per_week"], str)
    every = body(client.get(URL + "?page_size=200&fields=employee"))["results"]
    tenants = set(
        Employee.objects.filter(pk__in={r["employee"] for r in every}).values_list(
            "tenant__slug", flat=True
        )
    )
    assert tenants == {"demo-bv"}
    assert_problem(client.get(URL + "?employee=x"), 400)


def test_reading_one_carries_an_etag(api):
    contract = open_contract()
    response = api(["employees:read"]).get(f"{URL}{contract.pk}/")
    assert response.status_code == 200
    assert body(response)["job_title"] == contract.job_title
    assert response["ETag"].startswith(f'W/"{contract.pk}-')


def test_without_employees_read_it_is_403(api):
    assert_problem(api(["wages:read"]).get(URL), 403)


def test_another_companys_contract_is_404(api):
    other = Employment.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)
    assert_problem(api().patch(f"{URL}{other.pk}/", {"end_date": "2026-12-31"}), 404)
    assert Employment.objects.get(pk=other.pk).end_date == other.end_date


def test_writing_needs_employees_write(api):
    contract = open_contract()
    client = api(["employees:read"])
    assert_problem(client.patch(f"{URL}{contract.pk}/", {"end_date": "2026-12-31"}), 403)
    new = {"employee": worker().pk, "start_date": "2030-01-01", "job_title": "X"}
    assert_problem(client.post(URL, new), 403)
    assert Employment.objects.get(pk=contract.pk).end_date is None


def test_ending_then_adding_a_contract(api):
    client = api()
    contract = open_contract()
    etag = client.get(f"{URL}{contract.pk}/")["ETag"]
    ended = client.patch(f"{URL}{contract.pk}/", {"end_date": "2026-12-31"}, {"If-Match": etag})
    assert ended.status_code == 200, ended.content
    assert body(ended)["end_date"] == "2026-12-31"
    assert AuditEvent.objects.filter(action="employment.ended", object_id=str(contract.pk)).exists()
    stale = client.patch(f"{URL}{contract.pk}/", {"end_date": "2027-01-31"}, {"If-Match": etag})
    assert_problem(stale, 412)
    new = {
        "employee": worker().pk,
        "start_date": "2027-01-01",
        "job_title": "Payroll lead",
        "hours_per_week": 32,
    }
    response = client.post(URL, new)
    assert response.status_code == 201, response.content
    created = Employment.objects.get(pk=body(response)["id"])
    assert created.employee_id == worker().pk and created.job_title == "Payroll lead"
    assert body(response)["hours_per_week"] == "32.00"
    assert response["Location"] == f"{URL}{created.pk}/"


def test_invalid_input_is_422_with_field_errors_and_writes_nothing(api):
    client = api()
    contract = open_contract()
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    count = Employment.objects.count()
    problem = assert_problem(client.post(URL, {"employee": worker().pk}), 422)
    assert {e["field"] for e in problem["errors"]} == {"start_date", "job_title"}
    overlap = {"employee": worker().pk, "start_date": "2026-06-01", "job_title": "Twice"}
    problem = assert_problem(client.post(URL, overlap), 422)
    assert problem["errors"][0]["field"] == "start_date"
    foreign = {"employee": other.pk, "start_date": "2030-01-01", "job_title": "X"}
    problem = assert_problem(client.post(URL, foreign), 422)
    assert problem["errors"] == [{"field": "employee", "message": "Choose one from the list."}]
    problem = assert_problem(client.patch(f"{URL}{contract.pk}/", {"end_date": "1990-01-01"}), 422)
    assert problem["errors"][0]["field"] == "end_date"
    problem = assert_problem(client.patch(f"{URL}{contract.pk}/", {"job_title": "X"}), 422)
    assert {"field": "job_title", "message": "This field cannot be set here."} in problem["errors"]
    assert Employment.objects.count() == count
    assert Employment.objects.get(pk=contract.pk).end_date is None


def test_a_contract_change_reaches_integrators_that_sync_with_updated_since(api):
    """The employee's job data comes from the contract: ending one moves the employee's
    updated_at, so `?updated_since=` lists the employee again."""
    import datetime as dt
    import time

    client = api()
    contract = open_contract()
    time.sleep(0.01)
    since = (dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    before = body(client.get(f"/api/v1/employees/?updated_since={since}&page_size=200"))
    assert worker().pk not in {row["id"] for row in before["results"]}
    ended = client.patch(f"{URL}{contract.pk}/", {"end_date": "2026-12-31"})
    assert ended.status_code == 200, ended.content
    after = body(client.get(f"/api/v1/employees/?updated_since={since}&page_size=200"))
    assert worker().pk in {row["id"] for row in after["results"]}
