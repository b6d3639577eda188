"""/api/v1/departments/: read with employees:read; create, change (If-Match) and delete
through the services with employees:write; a department in use is not deleted (409);
another company's id is 404; bad input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Department, Employee
from tests.api_client import assert_problem
from tests.people.api.writes import audited, delete, emitted, put

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
    assert set(body(response)["results"][0]) == {"id", "name", "code", "parent", "archived_at"}


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


# --- change and delete --------------------------------------------------------------------


def department_people(department: Department) -> int:
    return Employee.objects.filter(department=department).exclude(status="left").count()


def demo_department(name: str = "Finance") -> Department:
    return Department.objects.get(tenant__slug="demo-bv", name=name)


def new_department(client: Any, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(URL, {"name": name, **fields})
    assert response.status_code == 201, response.content
    return body(response)


def test_patch_changes_only_the_fields_sent_and_is_audited(api):
    department = demo_department()
    client = api()
    etag = client.get(f"{URL}{department.pk}/")["ETag"]
    response = client.patch(f"{URL}{department.pk}/", {"code": "FCO"}, {"If-Match": etag})
    assert response.status_code == 200, response.content
    assert body(response) == {
        "id": department.pk,
        "name": "Finance",
        "code": "FCO",
        "parent": None,
        "archived_at": None,
    }
    assert response["ETag"] != etag
    event = audited("department.updated", department.pk)
    assert event.changes == {"code": {"old": "FIN", "new": "FCO"}}
    assert event.actor_label == "api:Test client"
    assert emitted("department.updated", department.pk)


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(api):
    department = demo_department()
    client = api()
    etag = client.get(f"{URL}{department.pk}/")["ETag"]
    assert (
        client.patch(f"{URL}{department.pk}/", {"code": "F1"}, {"If-Match": etag}).status_code
        == 200
    )
    stale = client.patch(f"{URL}{department.pk}/", {"code": "F2"}, {"If-Match": etag})
    assert_problem(stale, 412)
    assert demo_department().code == "F1"
    assert AuditEvent.objects.filter(action="department.updated").count() == 1


def test_an_if_match_naming_no_etag_is_400_and_changes_nothing(api):
    department = demo_department()
    client = api()
    problem = assert_problem(
        client.patch(f"{URL}{department.pk}/", {"code": "X"}, {"If-Match": ""}), 400
    )
    assert problem["errors"][0]["field"] == "If-Match"
    assert_problem(delete(client, f"{URL}{department.pk}/", {"If-Match": " , "}), 400)
    assert demo_department().code == "FIN"


def test_put_replaces_every_writable_field(api):
    client = api()
    parent = demo_department("Operations")
    created = new_department(client, "Legal", code="LEG", parent=parent.pk)
    response = put(client, f"{URL}{created['id']}/", {"name": "Legal & Compliance"})
    assert response.status_code == 200, response.content
    assert body(response) == {
        "id": created["id"],
        "name": "Legal & Compliance",
        "code": "",
        "parent": None,
        "archived_at": None,
    }


def test_put_without_a_name_is_422_and_changes_nothing(api):
    department = demo_department()
    problem = assert_problem(put(api(), f"{URL}{department.pk}/", {"code": "X"}), 422)
    assert [e["field"] for e in problem["errors"]] == ["name"]
    assert demo_department().code == "FIN"


def test_a_department_cannot_move_under_itself_or_its_own_sub_department(api):
    client = api()
    top = new_department(client, "Legal")
    below = new_department(client, "Contracts desk", parent=top["id"])
    for parent in (top["id"], below["id"]):
        problem = assert_problem(client.patch(f"{URL}{top['id']}/", {"parent": parent}), 422)
        assert [e["field"] for e in problem["errors"]] == ["parent"]
    assert Department.objects.get(pk=top["id"]).parent_id is None


def test_a_rename_to_another_departments_name_is_422(api):
    department = demo_department()
    problem = assert_problem(api().patch(f"{URL}{department.pk}/", {"name": "sales"}), 422)
    assert problem["errors"][0]["field"] == "name"
    assert demo_department().name == "Finance"


def test_a_field_that_cannot_be_written_is_422_not_ignored(api):
    department = demo_department()
    problem = assert_problem(api().patch(f"{URL}{department.pk}/", {"colour": "red"}), 422)
    assert problem["errors"] == [{"field": "colour", "message": "This field cannot be set here."}]


def test_a_value_of_the_wrong_json_type_is_422_not_coerced(api):
    department = demo_department()
    problem = assert_problem(api().patch(f"{URL}{department.pk}/", {"name": "", "code": 7}), 422)
    assert {e["field"] for e in problem["errors"]} == {"name", "code"}
    assert demo_department().code == "FIN"


def test_deleting_a_department_still_in_use_is_409_and_deletes_nothing(api):
    department = demo_department()
    problem = assert_problem(delete(api(), f"{URL}{department.pk}/"), 409)
    people = department_people(department)
    assert (
        problem["detail"] == f"This department still has {people} people, 1 team: move them first."
    )
    assert Department.objects.filter(pk=department.pk).exists()
    assert not AuditEvent.objects.filter(action="department.deleted").exists()


def test_a_sub_department_keeps_its_parent_from_being_deleted(api):
    client = api()
    top = new_department(client, "Legal")
    new_department(client, "Contracts desk", parent=top["id"])
    problem = assert_problem(delete(client, f"{URL}{top['id']}/"), 409)
    assert "1 sub-department" in problem["detail"]
    assert Department.objects.filter(pk=top["id"]).exists()


def test_deleting_an_unused_department_is_204_and_audited(api):
    client = api()
    created = new_department(client, "Legal", code="LEG")
    etag = client.get(f"{URL}{created['id']}/")["ETag"]
    response = delete(client, f"{URL}{created['id']}/", {"If-Match": etag})
    assert response.status_code == 204 and response.content == b""
    assert not Department.objects.filter(pk=created["id"]).exists()
    event = audited("department.deleted", created["id"])
    assert event.changes == {
        "name": {"old": "Legal", "new": None},
        "code": {"old": "LEG", "new": None},
    }
    assert emitted("department.deleted", created["id"])
    assert_problem(client.get(f"{URL}{created['id']}/"), 404)


def test_deleting_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    client = api()
    created = new_department(client, "Legal")
    etag = client.get(f"{URL}{created['id']}/")["ETag"]
    client.patch(f"{URL}{created['id']}/", {"code": "LEG"})
    assert_problem(delete(client, f"{URL}{created['id']}/", {"If-Match": etag}), 412)
    assert Department.objects.filter(pk=created["id"]).exists()


def test_a_key_with_only_employees_read_gets_403_on_patch_put_and_delete(api):
    department = demo_department()
    client = api(["employees:read"])
    url = f"{URL}{department.pk}/"
    assert_problem(client.patch(url, {"code": "X"}), 403)
    assert_problem(put(client, url, {"name": "X"}), 403)
    assert_problem(delete(client, url), 403)
    assert demo_department().code == "FIN"


def test_another_companys_department_is_404_for_patch_put_and_delete(api):
    other = Department.objects.filter(tenant__slug="other-nv").first()
    client = api()
    url = f"{URL}{other.pk}/"
    assert_problem(client.patch(url, {"code": "X"}), 404)
    assert_problem(put(client, url, {"name": "Taken over"}), 404)
    assert_problem(delete(client, url), 404)
    assert Department.objects.get(pk=other.pk).name == other.name


def test_a_parent_of_another_company_is_422(api):
    department = demo_department()
    other = Department.objects.filter(tenant__slug="other-nv").first()
    problem = assert_problem(api().patch(f"{URL}{department.pk}/", {"parent": other.pk}), 422)
    assert problem["errors"] == [{"field": "parent", "message": "Choose one from the list."}]
