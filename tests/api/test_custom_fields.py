"""/api/v1/custom-fields/ (definitions) and the `custom_fields` values on employees, read
and written through the services that validate them."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import CustomFieldDefinition, Employee
from tests.api.conftest import assert_problem

URL = "/api/v1/custom-fields/"
EMPLOYEES = "/api/v1/employees/"
SHIRT = {"key": "shirt_size", "label": "Shirt size", "field_type": "choice", "choices": ["S", "M"]}


def body(response: Any) -> Any:
    return json.loads(response.content)


def worker() -> Employee:
    return Employee.objects.get(tenant__slug="demo-bv", work_email="member1@demo-bv.test")


def test_listing_and_reading_definitions(api):
    client = api(["employees:read"])
    rows = body(client.get(URL + "?page_size=200"))["results"]
    assert {r["id"] for r in rows} == set(
        CustomFieldDefinition.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    assert set(rows[0]) == {
        "id",
        "key",
        "label",
        "field_type",
        "choices",
        "required",
        "position",
        "is_active",
    }
    response = client.get(f"{URL}{rows[0]['id']}/?fields=key")
    assert response.status_code == 200 and set(body(response)) == {"id", "key"}
    assert response["ETag"].startswith(f'W/"{rows[0]["id"]}-')
    assert_problem(client.get(URL + "?field_type=colour"), 400)


def test_without_employees_read_it_is_403(api):
    assert_problem(api(["wages:read"]).get(URL), 403)


def test_another_companys_definition_is_404(api):
    other = CustomFieldDefinition.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_defining_needs_employees_write(api):
    assert_problem(api(["employees:read"]).post(URL, SHIRT), 403)
    assert not CustomFieldDefinition.objects.filter(key="shirt_size").exists()


def test_defining_and_then_using_a_custom_field_on_an_employee(api):
    client = api()
    response = client.post(URL, SHIRT)
    assert response.status_code == 201, response.content
    created = body(response)
    assert created["key"] == "shirt_size" and created["choices"] == ["S", "M"]
    assert AuditEvent.objects.filter(action="custom_field.defined").exists()
    changed = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"shirt_size": "M"}})
    assert changed.status_code == 200, changed.content
    assert body(changed)["custom_fields"]["shirt_size"] == "M"
    assert worker().custom_fields["shirt_size"] == "M"
    read = body(client.get(f"{EMPLOYEES}{worker().pk}/?fields=custom_fields"))
    assert set(read) == {"id", "custom_fields"} and read["custom_fields"]["shirt_size"] == "M"
    bad = client.patch(f"{EMPLOYEES}{worker().pk}/", {"custom_fields": {"shirt_size": "XXL"}})
    problem = assert_problem(bad, 422)
    assert problem["errors"][0]["field"] == "custom_fields.shirt_size"
    assert worker().custom_fields["shirt_size"] == "M"


def test_hiring_with_unknown_custom_field_is_422_and_writes_nothing(api):
    count = Employee.objects.count()
    hire = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
        "custom_fields": {"no_such_field": "x"},
    }
    problem = assert_problem(api().post(EMPLOYEES, hire), 422)
    assert problem["errors"][0]["field"] == "custom_fields.no_such_field"
    assert Employee.objects.count() == count


def test_invalid_definition_is_422_with_field_errors_and_writes_nothing(api):
    client = api()
    existing = CustomFieldDefinition.objects.filter(tenant__slug="demo-bv").first()
    count = CustomFieldDefinition.objects.count()
    problem = assert_problem(client.post(URL, {"key": "Bad Key!", "label": "X"}), 422)
    assert {e["field"] for e in problem["errors"]} == {"field_type"}
    problem = assert_problem(
        client.post(URL, {"key": "Bad Key!", "label": "X", "field_type": "text"}), 422
    )
    assert [e["field"] for e in problem["errors"]] == ["key"]
    problem = assert_problem(client.post(URL, {**SHIRT, "choices": []}), 422)
    assert [e["field"] for e in problem["errors"]] == ["choices"]
    problem = assert_problem(client.post(URL, {**SHIRT, "key": existing.key}), 422)
    assert [e["field"] for e in problem["errors"]] == ["key"]
    assert CustomFieldDefinition.objects.count() == count
