"""Archiving departments and teams through the API (issue 17): PATCH `archived` (If-Match
as every change), `archived_at` on every object and the `?archived=` filter; an archived
department or team is refused (422) for a new hire, team or sub-department; audit and
domain events; an archived custom field's values stay in the CSV export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team
from kluis.people.services import custom_fields
from tests.api_client import assert_problem
from tests.conftest import actor_for
from tests.people.api.writes import emitted

DEPARTMENTS = "/api/v1/departments/"
TEAMS = "/api/v1/teams/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def finance() -> Department:
    return Department.objects.get(tenant__slug="demo-bv", name="Finance")


def test_patch_archives_and_brings_back_a_department(api):
    client = api()
    department = finance()
    url = f"{DEPARTMENTS}{department.pk}/"
    etag = client.get(url)["ETag"]
    response = client.patch(url, {"archived": True}, headers={"If-Match": etag})
    assert response.status_code == 200, response.content
    assert body(response)["archived_at"] is not None
    assert AuditEvent.objects.filter(action="department.archived", object_id=str(department.pk))
    assert emitted("department.archived", department.pk)
    listed = body(client.get(f"{DEPARTMENTS}?archived=true"))["results"]
    assert [row["id"] for row in listed] == [department.pk]
    # A page the database writes shows the time as a read of one object does.
    assert listed[0]["archived_at"] == body(response)["archived_at"]
    active = body(client.get(f"{DEPARTMENTS}?archived=false&page_size=200"))["results"]
    assert department.pk not in {row["id"] for row in active}
    back = client.patch(url, {"archived": False})
    assert back.status_code == 200 and body(back)["archived_at"] is None
    assert emitted("department.unarchived", department.pk)


def test_a_stale_if_match_archives_nothing(api):
    department = finance()
    response = api().patch(
        f"{DEPARTMENTS}{department.pk}/", {"archived": True}, headers={"If-Match": 'W/"x"'}
    )
    assert response.status_code in (400, 412)
    department.refresh_from_db()
    assert department.archived_at is None


def test_a_key_with_only_employees_read_cannot_archive(api):
    department = finance()
    assert_problem(
        api(["employees:read"]).patch(f"{DEPARTMENTS}{department.pk}/", {"archived": True}), 403
    )
    department.refresh_from_db()
    assert department.archived_at is None


def test_an_archived_department_is_422_for_a_new_team_and_a_new_hire(api):
    client = api()
    department = finance()
    client.patch(f"{DEPARTMENTS}{department.pk}/", {"archived": True})
    problem = assert_problem(
        client.post(TEAMS, {"name": "Night", "department": department.pk}), 422
    )
    assert problem["errors"][0]["message"] == "The department Finance is archived; choose another."
    assert not Team.objects.filter(name="Night").exists()
    hire = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "employment": {
            "start_date": "2026-04-01",
            "job_title": "Payroll officer",
            "department": department.pk,
        },
    }
    assert_problem(client.post("/api/v1/employees/", hire), 422)
    assert not Employee.objects.filter(first_name="Ilse", last_name="Wouters").exists()


def test_archiving_a_team_is_shown_and_a_department_still_offered_elsewhere(api):
    client = api()
    team = Team.objects.filter(tenant__slug="demo-bv").first()
    response = client.patch(f"{TEAMS}{team.pk}/", {"archived": True})
    assert response.status_code == 200 and body(response)["archived_at"]
    assert emitted("team.archived", team.pk)
    # The people in it keep it: their profile still names it.
    holder = Employee.objects.filter(team=team).first()
    assert body(client.get(f"/api/v1/employees/{holder.pk}/"))["team"] == team.pk


def test_an_archived_custom_fields_values_stay_in_the_export(demo, login):
    tenant = demo["demo-bv"]
    field = custom_fields.define_custom_field(
        actor_for("hr@demo-bv.test"), tenant, key="badge", label="Badge", field_type="text"
    )
    employee = Employee.objects.for_tenant(tenant).exclude(status="left").first()
    Employee.objects.filter(pk=employee.pk).update(custom_fields={"badge": "B-7"})
    custom_fields.update_custom_field(actor_for("hr@demo-bv.test"), field, {"is_active": False})
    assert CustomFieldDefinition.objects.get(pk=field.pk).is_active is False
    response = login("hr@demo-bv.test").get("/people/export.csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert "custom.badge" in rows[0]
    assert "B-7" in {row["custom.badge"] for row in rows}
