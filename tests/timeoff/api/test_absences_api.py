"""/api/v1/absences/: everyone who sees the calendar sees who is absent and when, never
why; the kind, reason and note only with timeoff.view_sickness over the employee
(absence:read), their reading audited; registering, closing, the history, deleting."""

from __future__ import annotations

import datetime as dt

import pytest

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from kluis.timeoff.models import Absence
from tests.api_client import assert_problem
from tests.timeoff.api.helpers import MemberApi, body, delete
from tests.timeoff.conftest import employee_of, next_weekday

pytestmark = pytest.mark.django_db
URL = "/api/v1/absences/"
PLAIN = {"id", "employee", "start_date", "end_date", "version"}
DETAILS = {"kind", "reason", "note", "created_at", "updated_at"}


def sick(tenant, email="member1@demo-bv.test", reason="Migraine", weeks=3) -> Absence:
    day = next_weekday(dt.date.today() - dt.timedelta(weeks=weeks), 0)
    return services.register_absence(
        Actor.system("tests", tenant),
        employee_of(email),
        {"start_date": day, "end_date": day + dt.timedelta(days=1), "reason": reason},
    )


def viewed() -> int:
    return AuditEvent.objects.filter(action="employee.sensitive_viewed").count()


def test_a_key_without_absence_read_sees_who_and_when_only_and_nothing_is_audited(api, bv):
    absence = sick(bv)
    before = viewed()
    client = api(["timeoff:read"])
    rows = body(client.get(URL))["results"]
    assert [set(row) for row in rows] == [PLAIN]
    one = client.get(f"{URL}{absence.pk}/")
    assert set(body(one)) == PLAIN and b"Migraine" not in one.content
    assert viewed() == before


def test_absence_read_opens_the_reason_and_the_reading_is_audited(api, bv):
    absence = sick(bv)
    before = viewed()
    client = api(["timeoff:read", "absence:read"])
    one = body(client.get(f"{URL}{absence.pk}/"))
    assert set(one) == PLAIN | DETAILS
    assert one["reason"] == "Migraine" and one["kind"] == "sickness"
    assert viewed() == before + 1
    event = AuditEvent.objects.filter(action="employee.sensitive_viewed").last()
    assert event.object_id == str(absence.employee_id)
    # A page of them: one event for the request.
    client.get(URL)
    assert viewed() == before + 2
    # Only the dates asked for: nothing opened, nothing audited.
    client.get(f"{URL}?fields=start_date,end_date")
    assert viewed() == before + 2


def test_a_manager_never_sees_a_sickness_reason_the_employee_and_hr_do(bv):
    absence = sick(bv, reason="Burn-out")
    item = f"{URL}{absence.pk}/"
    manager = MemberApi("manager@demo-bv.test")
    seen = manager.get(item)
    assert seen.status_code == 200 and set(body(seen)) == PLAIN
    assert b"Burn-out" not in seen.content and b"Burn-out" not in manager.get(URL).content
    assert b"Burn-out" not in manager.get(f"{item}history/").content
    assert body(MemberApi("member1@demo-bv.test").get(item))["reason"] == "Burn-out"
    assert body(MemberApi("hr@demo-bv.test").get(item))["reason"] == "Burn-out"
    # A colleague sees that member1 is absent, not why; their own absence with details.
    colleague = MemberApi("member2@demo-bv.test")
    rows = {r["id"]: r for r in body(colleague.get(URL))["results"]}
    assert set(rows[absence.pk]) == PLAIN


def test_registering_closing_and_deleting_through_the_api(api, bv):
    worker = MemberApi("member1@demo-bv.test")
    day = next_weekday(dt.date.today() - dt.timedelta(days=14), 0)
    made = worker.post(URL, {"start_date": str(day), "reason": "Flu"})
    assert made.status_code == 201, made.content
    absence = body(made)
    assert absence["end_date"] is None and absence["reason"] == "Flu"
    item = f"{URL}{absence['id']}/"
    stale = worker.patch(
        item, {"end_date": str(day + dt.timedelta(days=2))}, {"If-Match": 'W/"1-9"'}
    )
    assert_problem(stale, 412)
    closed = worker.patch(item, {"end_date": str(day + dt.timedelta(days=2)), "version": 1})
    assert closed.status_code == 200, closed.content
    assert body(closed)["end_date"] == str(day + dt.timedelta(days=2))
    steps = body(worker.get(f"{item}history/"))["results"]
    assert [s["action"] for s in steps] == ["registered", "changed"]
    assert steps[0]["new_values"]["reason"] == "••••••"
    # Only HR deletes one registered by mistake.
    assert_problem(delete(worker, item), 403)
    assert_problem(api(["timeoff:read"]).post(URL, {"start_date": str(day)}), 403)
    assert delete(api(["timeoff:read", "timeoff:write"]), item).status_code == 204
    assert not Absence.objects.filter(pk=absence["id"]).exists()


def test_a_manager_cannot_register_for_their_team_nor_see_details_by_filtering(bv):
    manager = MemberApi("manager@demo-bv.test")
    day = next_weekday(dt.date.today() - dt.timedelta(days=14), 0)
    colleague = employee_of("member1@demo-bv.test").pk
    refused = manager.post(URL, {"employee": colleague, "start_date": str(day)})
    assert_problem(refused, 422)
    sick(bv, reason="Secret")
    rows = body(manager.get(f"{URL}?employee={colleague}&fields=id,reason"))["results"]
    assert rows and all(set(r) == {"id"} for r in rows)
