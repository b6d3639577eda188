"""The checklists in the API beyond the registry-wide harness: starting one with the
matching template, completing a task as HR's key, a key that may only read, and a
duplicate start refused."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from kluis.checklists.models import Checklist, ChecklistTask
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.api_client import Api, assert_problem

pytestmark = pytest.mark.django_db


def test_a_key_starts_the_matching_checklist_and_completes_its_tasks(
    api: Callable[..., Api], demo: dict[str, Tenant]
) -> None:
    worker = Employee.objects.get(work_email="member1@demo-bv.test")
    client = api()
    started = client.post(
        "/api/v1/checklists/",
        {"employee": worker.pk, "kind": "onboarding", "anchor_date": "2027-03-01"},
    )
    assert started.status_code == 201, started.content
    body = json.loads(started.content)
    assert body["name"] == "Onboarding" and body["status"] == "open"
    again = client.post("/api/v1/checklists/", {"employee": worker.pk, "kind": "onboarding"})
    assert_problem(again, 422)
    tasks = json.loads(
        client.get(f"/api/v1/checklist-tasks/?checklist={body['id']}&page_size=50").content
    )["results"]
    assert len(tasks) == 7
    bank = next(t for t in tasks if t["completion"] == "bank_account")
    assert bank["link"] == "/people/me/bank-account/" and bank["due_date"] == "2027-02-27"
    reader = api(["checklists:read"])
    assert_problem(reader.post(f"/api/v1/checklist-tasks/{bank['id']}/complete/", {}), 403)
    for task in tasks:
        done = client.post(f"/api/v1/checklist-tasks/{task['id']}/complete/", {"version": 1})
        assert done.status_code == 200, done.content
        assert json.loads(done.content)["done"] is True
    assert Checklist.objects.get(pk=body["id"]).status == "completed"
    stale = client.post(f"/api/v1/checklist-tasks/{tasks[0]['id']}/reopen/", {"version": 1})
    assert_problem(stale, 412)
    reopened = client.post(f"/api/v1/checklist-tasks/{tasks[0]['id']}/reopen/", {"version": 2})
    assert json.loads(reopened.content)["done"] is False
    assert not ChecklistTask.objects.get(pk=tasks[0]["id"]).done
