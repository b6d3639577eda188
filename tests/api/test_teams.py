"""/api/v1/teams/: read with employees:read, create through the service with
employees:write; another company's id is 404; bad input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Department, Team
from tests.api.conftest import assert_problem

URL = "/api/v1/teams/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_listing_gives_the_companys_teams_filtered_by_department(api):
    client = api(["employees:read"])
    rows = body(client.get(URL + "?page_size=200"))["results"]
    assert {r["id"] for r in rows} == set(
        Team.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    team = Team.objects.filter(tenant__slug="demo-bv", department__isnull=False).first()
    rows = body(client.get(f"{URL}?department={team.department_id}&fields=department"))["results"]
    assert rows and all(set(r) == {"id", "department"} for r in rows)
    assert {r["department"] for r in rows} == {team.department_id}
    assert_problem(client.get(URL + "?department=abc"), 400)


def test_reading_one_carries_an_etag(api):
    team = Team.objects.filter(tenant__slug="demo-bv").first()
    response = api(["employees:read"]).get(f"{URL}{team.pk}/")
    assert response.status_code == 200
    assert body(response) == {"id": team.pk, "name": team.name, "department": team.department_id}
    assert response["ETag"].startswith(f'W/"{team.pk}-')


def test_without_employees_read_it_is_403(api):
    assert_problem(api(["audit:read"]).get(URL), 403)


def test_another_companys_team_is_404(api):
    other = Team.objects.filter(tenant__slug="other-nv").first()
    assert_problem(api().get(f"{URL}{other.pk}/"), 404)


def test_creating_needs_employees_write(api):
    assert_problem(api(["employees:read"]).post(URL, {"name": "Night shift"}), 403)
    assert not Team.objects.filter(name="Night shift").exists()


def test_creating_goes_through_the_service_and_is_audited(api):
    department = Department.objects.filter(tenant__slug="demo-bv").first()
    response = api().post(URL, {"name": "Night shift", "department": department.pk})
    assert response.status_code == 201, response.content
    team = Team.objects.get(pk=body(response)["id"])
    assert team.tenant.slug == "demo-bv" and team.department_id == department.pk
    assert response["Location"] == f"{URL}{team.pk}/"
    assert AuditEvent.objects.filter(action="team.created", object_id=str(team.pk)).exists()


def test_invalid_input_is_422_with_field_errors_and_writes_nothing(api):
    other = Department.objects.filter(tenant__slug="other-nv").first()
    count = Team.objects.count()
    client = api()
    problem = assert_problem(client.post(URL, {"name": "", "department": "x"}), 422)
    assert {e["field"] for e in problem["errors"]} == {"name", "department"}
    problem = assert_problem(client.post(URL, {"name": "Sneaky", "department": other.pk}), 422)
    assert problem["errors"] == [{"field": "department", "message": "Choose one from the list."}]
    assert Team.objects.count() == count
