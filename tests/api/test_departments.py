"""/api/v1/departments/: read with employees:read, create through the service with
employees:write; another company's id is 404; bad input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Department
from tests.api.conftest import assert_problem

URL = "/api/v1/departments/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_listing_gives_the_companys_departments_only(api):
    response = api(["employees:read"]).get(URL + "?page_size=200")
    assert response.status_code == 200
    ids = {row["id"] for row in body(response)["results"]}
    assert ids == set(
        Department.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    assert set(body(response)["results"][0]) == {"id", "name", "code", "parent"}


def test_sparse_fields_ordering_and_a_bad_ordering(api):
    client = api(["employees:read"])
    rows = body(client.get(URL + "?fields=name&ordering=-name"))["results"]
    assert set(rows[0]) == {"id", "name"}
    assert [r["name"] for r in rows] == sorted((r["name"] for r in rows), reverse=True)
    assert_problem(client.get(URL + "?ordering=secret"), 400)
    assert_problem(client.get(URL + "?fields=nope"), 400)
    assert_problem(client.get(URL + "?colour=red"), 400)


def test_reading_one_carries_an_etag(api):
    department = Department.objects.filter(tenant__slug="demo-bv").first()
    response = api(["employees:read"]).get(f"{URL}{department.pk}/")
    assert response.status_code == 200
    assert body(response)["name"] == department.name
    assert response["ETag"].startswith(f'W/"{department.pk}-')


def test_without_employees_read_it_is_403(api):
    assert_problem(api(["wages:read"]).get(URL), 403)


def test_another_companys_department_is_404(api):
    other = Department.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_creating_needs_employees_write(api):
    count = Department.objects.count()
    assert_problem(api(["employees:read"]).post(URL, {"name": "Legal"}), 403)
    assert Department.objects.count() == count


def test_creating_goes_through_the_service_and_is_audited(api):
    parent = Department.objects.filter(tenant__slug="demo-bv").first()
    response = api().post(URL, {"name": "Legal", "code": "LEG", "parent": parent.pk})
    assert response.status_code == 201, response.content
    created = Department.objects.get(pk=body(response)["id"])
    assert created.tenant.slug == "demo-bv" and created.parent_id == parent.pk
    assert response["Location"] == f"{URL}{created.pk}/"
    event = AuditEvent.objects.get(action="department.created", object_id=str(created.pk))
    assert event.actor_label == "api:Test client"


def test_invalid_input_is_422_with_field_errors_and_writes_nothing(api):
    existing = Department.objects.filter(tenant__slug="demo-bv").first()
    other = Department.objects.filter(tenant__slug="other-nv").first()
    count = Department.objects.count()
    client = api()
    problem = assert_problem(client.post(URL, {"code": "X"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["name"]
    problem = assert_problem(client.post(URL, {"name": existing.name}), 422)
    assert problem["errors"][0]["field"] == "name"
    problem = assert_problem(client.post(URL, {"name": "Sneaky", "parent": other.pk}), 422)
    assert problem["errors"] == [{"field": "parent", "message": "Choose one from the list."}]
    assert Department.objects.count() == count


def test_idempotency_key_replays_the_first_response(api):
    client = api()
    headers = {"Idempotency-Key": "dept-1"}
    first = client.post(URL, {"name": "Facilities"}, headers=headers)
    again = client.post(URL, {"name": "Facilities"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert body(first) == body(again) and again["Idempotent-Replayed"] == "true"
    assert Department.objects.filter(name="Facilities").count() == 1
