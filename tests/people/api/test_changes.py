"""/api/v1/changes/: the change feed of /people/changes/ as an API list (registry-wide
behaviour is in tests/api/test_resources.py, what each scope sees in
tests/access/test_visibility.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.access.actor import Actor
from kluis.people.models import Employee, EmployeeVersion
from kluis.people.services import update_employee
from tests.api_client import assert_problem

pytestmark = pytest.mark.django_db

URL = "/api/v1/changes/"


def rows_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content[:300]
    return json.loads(response.content)["results"]


def test_since_gives_the_changes_after_it_oldest_first(api, demo):
    employee = Employee.objects.filter(tenant=demo["demo-bv"]).order_by("pk").first()
    since = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(seconds=1)
    actor = Actor.system("tests", demo["demo-bv"])
    update_employee(
        actor, employee, {"work_phone": "+32470555123"}, expected_version=employee.version
    )
    rows = rows_of(api().get(f"{URL}?since={since:%Y-%m-%dT%H:%M:%SZ}"))
    latest = EmployeeVersion.objects.filter(employee=employee).order_by("-pk").first()
    assert [r["id"] for r in rows][-1] == latest.pk
    assert rows
    assert all(dt.datetime.fromisoformat(r["changed_at"]) > since for r in rows)
    mine = rows[-1]
    assert (mine["employee"], mine["version"]) == (employee.pk, latest.version)
    assert {
        "field": "work_phone",
        "old": latest.old_values["work_phone"],
        "new": "+32470555123",
    } in (mine["changes"])


def test_since_needs_a_zone_and_employee_an_id(api):
    body = assert_problem(api().get(f"{URL}?since=2026-03-01"), 400)
    assert [e["field"] for e in body["errors"]] == ["since"]
    body = assert_problem(api().get(f"{URL}?employee=abc"), 400)
    assert [e["field"] for e in body["errors"]] == ["employee"]


def test_the_employee_filter_gives_that_employees_changes(api, demo):
    employee = Employee.objects.filter(tenant=demo["demo-bv"]).order_by("pk").last()
    rows = rows_of(api().get(f"{URL}?employee={employee.pk}"))
    assert rows
    assert {r["employee"] for r in rows} == {employee.pk}


@pytest.mark.parametrize("page_size", [20, 200])
def test_a_page_takes_the_same_few_queries_whatever_its_size(api, page_size):
    client = api(["employees:read"])
    url = f"{URL}?page_size={page_size}"
    client.get(url)  # warm: the key's last use is written at most once a minute
    with CaptureQueriesContext(connection) as captured:
        rows_of(client.get(url))
    statements = [q["sql"] for q in captured.captured_queries if "set_config" not in q["sql"]]
    assert len(statements) <= 3, statements


def test_a_listed_change_is_the_change_read_alone(api, demo):
    """The list reads only the changed fields' values of each snapshot (narrowed by the
    database); every row equals the same change read alone (from the whole snapshot),
    for text, dates and sealed fields."""
    tenant = demo["demo-bv"]
    actor = Actor.system("tests", tenant)
    employee = Employee.objects.filter(tenant=tenant).order_by("pk").first()
    for change in (
        {"work_phone": "+32470555124", "preferred_name": "Zed"},
        {"birth_date": dt.date(1980, 2, 29)},
        {"iban": "BE71096123456769"},
    ):
        employee.refresh_from_db()
        update_employee(actor, employee, change, expected_version=employee.version)
    # Without personal:read and identity:read the birth date's and IBAN's changes are not
    # listed at all.
    for scopes, listed in (
        (["employees:read"], 2),
        (["employees:read", "personal:read", "identity:read"], 4),
    ):
        client = api(scopes)
        rows = rows_of(client.get(f"{URL}?employee={employee.pk}&page_size=50"))
        assert len(rows) == listed
        for row in rows:
            alone = json.loads(client.get(f"{URL}{row['id']}/").content)
            assert row == alone, row["id"]
