"""`probation_end_date` in the API: read on a contract, given when adding one or hiring
(the nested first contract), changed or cleared with a PATCH; outside the contract it is
a 422 problem that names it and writes nothing; the OpenAPI document shows it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.test import Client
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment
from tests.api_client import assert_problem

URL = "/api/v1/employments/"
TODAY = timezone.localdate()


def day(days: int) -> str:
    return (TODAY + dt.timedelta(days=days)).isoformat()


def body(response: Any) -> Any:
    return json.loads(response.content)


def open_contract() -> Employment:
    person = Employee.objects.get(tenant__slug="demo-bv", work_email="member1@demo-bv.test")
    return Employment.objects.filter(employee=person, end_date__isnull=True).get()


def test_a_contract_is_added_with_its_end_of_probation_and_patched(api):
    client = api()
    contract = open_contract()
    assert body(client.get(f"{URL}{contract.pk}/"))["probation_end_date"] is None
    ended = client.patch(f"{URL}{contract.pk}/", {"end_date": day(30)})
    assert ended.status_code == 200, ended.content
    new = {
        "employee": contract.employee_id,
        "start_date": day(31),
        "probation_end_date": day(120),
        "job_title": "Payroll lead",
    }
    created = client.post(URL, new)
    assert created.status_code == 201, created.content
    assert body(created)["probation_end_date"] == day(120)
    row = Employment.objects.get(pk=body(created)["id"])
    assert row.probation_end_date == TODAY + dt.timedelta(days=120)
    # PATCH the end of probation alone, with If-Match; then clear it with null.
    etag = client.get(f"{URL}{row.pk}/")["ETag"]
    moved = client.patch(f"{URL}{row.pk}/", {"probation_end_date": day(90)}, {"If-Match": etag})
    assert moved.status_code == 200, moved.content
    assert body(moved)["probation_end_date"] == day(90) and body(moved)["end_date"] is None
    event = AuditEvent.objects.filter(action="employment.updated", object_id=str(row.pk)).get()
    assert event.changes == {"probation_end_date": {"old": day(120), "new": day(90)}}
    assert_problem(
        client.patch(f"{URL}{row.pk}/", {"probation_end_date": day(80)}, {"If-Match": etag}), 412
    )
    cleared = client.patch(f"{URL}{row.pk}/", {"probation_end_date": None})
    assert body(cleared)["probation_end_date"] is None
    listed = body(client.get(f"{URL}?employee={row.employee_id}&fields=id,probation_end_date"))
    assert {"id": row.pk, "probation_end_date": None} in listed["results"]


def test_a_probation_outside_the_contract_is_422_and_writes_nothing(api):
    client = api()
    contract = open_contract()
    count, events = Employment.objects.count(), AuditEvent.objects.count()
    before_start = (contract.start_date - dt.timedelta(days=1)).isoformat()
    problem = assert_problem(
        client.patch(f"{URL}{contract.pk}/", {"probation_end_date": before_start}), 422
    )
    assert problem["errors"][0]["field"] == "probation_end_date"
    assert "comes before the contract's start" in problem["errors"][0]["message"]
    # Together with a new end it must lie before that end.
    both = {"end_date": day(30), "probation_end_date": day(31)}
    problem = assert_problem(client.patch(f"{URL}{contract.pk}/", both), 422)
    assert problem["errors"][0]["field"] == "probation_end_date"
    assert "comes after the contract's end" in problem["errors"][0]["message"]
    empty = assert_problem(client.patch(f"{URL}{contract.pk}/", {}), 422)
    assert empty["errors"][0]["field"] == "end_date"
    new = {
        "employee": contract.employee_id,
        "contract_type": "fixed_term",
        "start_date": day(100),
        "end_date": day(200),
        "probation_end_date": day(201),
        "job_title": "X",
    }
    problem = assert_problem(client.post(URL, new), 422)
    assert problem["errors"][0]["field"] == "probation_end_date"
    contract.refresh_from_db()
    assert contract.probation_end_date is None and contract.end_date is None
    assert (Employment.objects.count(), AuditEvent.objects.count()) == (count, events)


def test_moving_the_end_before_the_probation_is_refused_on_the_end(api):
    client = api()
    contract = open_contract()
    ok = client.patch(f"{URL}{contract.pk}/", {"probation_end_date": day(40)})
    assert ok.status_code == 200, ok.content
    problem = assert_problem(client.patch(f"{URL}{contract.pk}/", {"end_date": day(39)}), 422)
    assert problem["errors"][0]["field"] == "end_date"
    contract.refresh_from_db()
    assert contract.end_date is None


def test_hiring_through_the_api_takes_the_first_contracts_end_of_probation(api):
    client = api(["employees:read", "employees:write"])
    hire = {
        "first_name": "Nora",
        "last_name": "Jacobs",
        "employment": {
            "start_date": day(-3),
            "probation_end_date": day(57),
            "job_title": "Payroll officer",
        },
    }
    response = client.post("/api/v1/employees/", hire)
    assert response.status_code == 201, response.content
    nora = Employee.objects.get(pk=body(response)["id"])
    assert Employment.objects.get(employee=nora).probation_end_date == (
        TODAY + dt.timedelta(days=57)
    )
    wrong = {**hire, "first_name": "Rik", "employment": {**hire["employment"]}}
    wrong["employment"]["probation_end_date"] = day(-4)
    problem = assert_problem(client.post("/api/v1/employees/", wrong), 422)
    assert problem["errors"][0]["field"] == "employment.probation_end_date"
    assert not Employee.objects.filter(first_name="Rik", last_name="Jacobs").exists()


def test_the_openapi_document_shows_the_end_of_probation(demo):
    document = Client().get("/api/v1/schema/?format=json").json()
    schemas = document["components"]["schemas"]
    holding = {
        name
        for name, schema in schemas.items()
        if "probation_end_date" in schema.get("properties", {})
    }
    # The contract as read, the new contract, its PATCH and the hire's first contract.
    assert len(holding) >= 3, holding
    paths = document["paths"]
    patch = paths["/api/v1/employments/{employment_pk}/"]["patch"]
    assert "probation" in patch["summary"].lower() or "probation" in patch["description"]
