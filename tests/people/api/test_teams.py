"""/api/v1/teams/: read with employees:read; create, change (If-Match) and delete through
the services with employees:write; a team named by contracts is not deleted (409);
another company's id is 404; bad input is 422 and writes nothing."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.people.models import Department, Employee, Team
from tests.api_client import assert_problem
from tests.people.api.writes import audited, delete, emitted, put

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
    assert body(response) == {
        "id": team.pk,
        "name": team.name,
        "department": team.department_id,
        "archived_at": None,
    }
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


# --- change and delete --------------------------------------------------------------------


def demo_team(name: str = "Accounting") -> Team:
    return Team.objects.get(tenant__slug="demo-bv", name=name)


def new_team(client: Any, name: str, **fields: Any) -> dict[str, Any]:
    response = client.post(URL, {"name": name, **fields})
    assert response.status_code == 201, response.content
    return body(response)


def test_patch_changes_the_team_and_is_audited(api):
    team = demo_team()
    client = api()
    etag = client.get(f"{URL}{team.pk}/")["ETag"]
    response = client.patch(f"{URL}{team.pk}/", {"name": "Accounts"}, {"If-Match": etag})
    assert response.status_code == 200, response.content
    assert body(response) == {
        "id": team.pk,
        "name": "Accounts",
        "department": team.department_id,
        "archived_at": None,
    }
    assert audited("team.updated", team.pk).changes == {
        "name": {"old": "Accounting", "new": "Accounts"}
    }
    assert emitted("team.updated", team.pk)


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(api):
    team = demo_team()
    client = api()
    etag = client.get(f"{URL}{team.pk}/")["ETag"]
    assert client.patch(f"{URL}{team.pk}/", {"name": "A1"}, {"If-Match": etag}).status_code == 200
    assert_problem(client.patch(f"{URL}{team.pk}/", {"name": "A2"}, {"If-Match": etag}), 412)
    assert Team.objects.get(pk=team.pk).name == "A1"


def test_put_replaces_the_team_and_a_department_left_out_becomes_null(api):
    client = api()
    department = Department.objects.filter(tenant__slug="demo-bv").first()
    created = new_team(client, "Night shift", department=department.pk)
    response = put(client, f"{URL}{created['id']}/", {"name": "Late shift"})
    assert response.status_code == 200, response.content
    assert body(response) == {
        "id": created["id"],
        "name": "Late shift",
        "department": None,
        "archived_at": None,
    }


def test_a_department_of_another_company_is_422_and_changes_nothing(api):
    team = demo_team()
    other = Department.objects.filter(tenant__slug="other-nv").first()
    problem = assert_problem(api().patch(f"{URL}{team.pk}/", {"department": other.pk}), 422)
    assert problem["errors"] == [{"field": "department", "message": "Choose one from the list."}]
    assert demo_team().department_id == team.department_id


def test_deleting_a_team_still_named_by_contracts_is_409_and_deletes_nothing(api):
    team = demo_team()
    people = Employee.objects.filter(team=team).exclude(status="left").count()
    problem = assert_problem(delete(api(), f"{URL}{team.pk}/"), 409)
    assert problem["detail"] == f"This team still has {people} people: move them first."
    assert Team.objects.filter(pk=team.pk).exists()
    assert not AuditEvent.objects.filter(action="team.deleted").exists()


def test_deleting_an_unused_team_is_204_and_audited(api):
    client = api()
    created = new_team(client, "Night shift")
    etag = client.get(f"{URL}{created['id']}/")["ETag"]
    response = delete(client, f"{URL}{created['id']}/", {"If-Match": etag})
    assert response.status_code == 204 and response.content == b""
    assert not Team.objects.filter(pk=created["id"]).exists()
    assert audited("team.deleted", created["id"]).changes == {
        "name": {"old": "Night shift", "new": None}
    }
    assert emitted("team.deleted", created["id"])


def test_deleting_with_a_stale_if_match_is_412_and_deletes_nothing(api):
    client = api()
    created = new_team(client, "Night shift")
    etag = client.get(f"{URL}{created['id']}/")["ETag"]
    client.patch(f"{URL}{created['id']}/", {"name": "Late shift"})
    assert_problem(delete(client, f"{URL}{created['id']}/", {"If-Match": etag}), 412)
    assert Team.objects.filter(pk=created["id"]).exists()


def test_a_key_with_only_employees_read_gets_403_on_patch_put_and_delete(api):
    team = demo_team()
    client = api(["employees:read"])
    url = f"{URL}{team.pk}/"
    assert_problem(client.patch(url, {"name": "X"}), 403)
    assert_problem(put(client, url, {"name": "X"}), 403)
    assert_problem(delete(client, url), 403)
    assert demo_team().name == "Accounting"


def test_another_companys_team_is_404_for_patch_put_and_delete(api):
    other = Team.objects.filter(tenant__slug="other-nv").first()
    client = api()
    url = f"{URL}{other.pk}/"
    assert_problem(client.patch(url, {"name": "Taken over"}), 404)
    assert_problem(put(client, url, {"name": "Taken over"}), 404)
    assert_problem(delete(client, url), 404)
    assert Team.objects.get(pk=other.pk).name == other.name
