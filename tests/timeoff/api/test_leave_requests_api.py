"""/api/v1/leave-requests/: who reads which requests and reasons, requesting, changing,
approving, rejecting and cancelling through the API (If-Match, Idempotency-Key,
problem+json), never one's own approval, and the history."""

from __future__ import annotations

import pytest

from kluis.timeoff.models import LeaveRequest
from tests.api_client import assert_problem
from tests.timeoff.api.helpers import MemberApi, a_day, ask, body, probe_type
from tests.timeoff.conftest import employee_of

pytestmark = pytest.mark.django_db
URL = "/api/v1/leave-requests/"
READ = ["timeoff:read"]
WRITE = ["timeoff:read", "timeoff:write"]


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in body(response)["results"]}


def test_each_reader_lists_the_requests_of_the_employees_they_may_see(bv):
    mine = ask(bv, "member1@demo-bv.test")
    other = ask(bv, "employee@demo-bv.test")  # reports to HR, not to the manager
    assert ids(MemberApi("member1@demo-bv.test").get(URL)) == {mine.pk}
    assert ids(MemberApi("manager@demo-bv.test").get(URL)) == {mine.pk}
    assert ids(MemberApi("hr@demo-bv.test").get(URL)) >= {mine.pk, other.pk}
    # Another's request is answered as one that does not exist.
    assert_problem(MemberApi("member1@demo-bv.test").get(f"{URL}{other.pk}/"), 404)


def test_the_reason_is_shown_only_to_who_may_read_it(api, bv):
    approvers = ask(bv, "member1@demo-bv.test", reason="Wedding")
    hr_only = ask(bv, "member1@demo-bv.test", weeks=8, reason="Therapy", reason_visible_to="hr")
    manager = {r["id"]: r for r in body(MemberApi("manager@demo-bv.test").get(URL))["results"]}
    assert manager[approvers.pk]["reason"] == "Wedding"  # the manager approves it
    assert "reason" not in manager[hr_only.pk]  # absent, not null
    assert manager[hr_only.pk]["status"] == "pending"
    own = body(MemberApi("member1@demo-bv.test").get(f"{URL}{hr_only.pk}/"))
    assert own["reason"] == "Therapy"
    assert body(MemberApi("hr@demo-bv.test").get(f"{URL}{hr_only.pk}/"))["reason"] == "Therapy"
    # A key that only reads leave does not approve it: no reason.
    read_only = body(api(READ).get(f"{URL}{approvers.pk}/"))
    assert "reason" not in read_only and read_only["id"] == approvers.pk
    assert body(api(WRITE).get(f"{URL}{approvers.pk}/"))["reason"] == "Wedding"
    # The history names the reason's change without its value to who may not read it.
    steps = body(MemberApi("manager@demo-bv.test").get(f"{URL}{hr_only.pk}/history/"))
    assert "reason" not in steps["results"][0]["new_values"]
    assert "reason" in steps["results"][0]["changed_fields"]


def test_a_page_of_every_reason_or_none_is_written_by_the_database(api, bv):
    """A key that approves company-wide reads every reason, one that only reads reads none:
    both pages are written by the database, the same rows as read alone; a manager (some
    reasons) is answered row by row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wedding = ask(bv, "member1@demo-bv.test", reason="Wedding")
    therapy = ask(bv, "member2@demo-bv.test", weeks=8, reason="Therapy", reason_visible_to="hr")
    for scopes, reasons in ((WRITE, {wedding.pk: "Wedding", therapy.pk: "Therapy"}), (READ, {})):
        client = api(scopes)
        with CaptureQueriesContext(connection) as queries:
            rows = body(client.get(f"{URL}?page_size=50"))["results"]
        assert any("json_" in q["sql"] for q in queries.captured_queries)
        shown = {row["id"]: row.get("reason") for row in rows if row["id"] in reasons}
        assert shown == reasons
        for row in rows:
            assert row == body(client.get(f"{URL}{row['id']}/")), row["id"]
            assert ("reason" in row) == (scopes is WRITE)
    with CaptureQueriesContext(connection) as queries:
        manager = body(MemberApi("manager@demo-bv.test").get(URL))["results"]
    assert not any("json_" in q["sql"] for q in queries.captured_queries)
    assert {r["id"]: r.get("reason") for r in manager}[therapy.pk] is None


def test_a_key_without_the_scope_is_refused_every_operation(api, bv):
    request = ask(bv, "member1@demo-bv.test")
    assert_problem(api(["employees:read"]).get(URL), 403)
    reader = api(READ)
    assert_problem(reader.post(URL, {"employee": request.employee_id}), 403)
    assert_problem(reader.patch(f"{URL}{request.pk}/", {"reason": "x"}), 403)
    for action in ("approve", "reject", "cancel"):
        assert_problem(reader.post(f"{URL}{request.pk}/{action}/", {}), 403)
    assert LeaveRequest.objects.get(pk=request.pk).status == "pending"


def test_requesting_through_the_api_with_an_idempotency_key(api, bv):
    client = api(WRITE)
    day = a_day(bv)
    sent = {
        "employee": employee_of("member1@demo-bv.test").pk,
        "leave_type": probe_type(bv).pk,
        "start_date": day.isoformat(),
        "end_date": day.isoformat(),
        "reason": "Moving house",
    }
    first = client.post(URL, sent, {"Idempotency-Key": "leave-1"})
    assert first.status_code == 201, first.content
    made = body(first)
    assert made["status"] == "pending" and made["hours"] == "7.60" and made["version"] == 1
    assert first["Location"] == f"{URL}{made['id']}/"
    again = client.post(URL, sent, {"Idempotency-Key": "leave-1"})
    assert again["Idempotent-Replayed"] == "true" and body(again) == made
    # The same days again: refused, saying why, as a problem document naming the field.
    overlap = assert_problem(client.post(URL, sent), 422)
    assert {e["field"] for e in overlap["errors"]} == {"start_date"}
    assert LeaveRequest.objects.filter(employee_id=sent["employee"]).count() == 1
    # Another company's employee or type is "choose one from the list", as a missing one.
    foreign = assert_problem(client.post(URL, {**sent, "employee": 987654321}), 422)
    assert [e["field"] for e in foreign["errors"]] == ["employee"]


def test_a_member_requests_their_own_leave_without_naming_themself(bv):
    day = a_day(bv)
    response = MemberApi("member1@demo-bv.test").post(
        URL,
        {"leave_type": probe_type(bv).pk, "start_date": str(day), "end_date": str(day)},
    )
    assert response.status_code == 201, response.content
    assert body(response)["employee"] == employee_of("member1@demo-bv.test").pk
    # ... and not for a colleague.
    colleague = employee_of("member2@demo-bv.test").pk
    refused = MemberApi("member1@demo-bv.test").post(
        URL, {"employee": colleague, "leave_type": probe_type(bv).pk, "start_date": str(day)}
    )
    assert_problem(refused, 422)


def test_nobody_approves_their_own_request_through_the_api(bv):
    own = ask(bv, "hr@demo-bv.test")
    hr = MemberApi("hr@demo-bv.test")
    for action in ("approve", "reject"):
        refused = assert_problem(hr.post(f"{URL}{own.pk}/{action}/", {}), 403)
        assert "their own" in refused["detail"]
    assert LeaveRequest.objects.get(pk=own.pk).status == "pending"


def test_approving_honours_if_match_and_a_decided_request_is_a_409(bv):
    request = ask(bv, "member1@demo-bv.test")
    manager = MemberApi("manager@demo-bv.test")
    item = f"{URL}{request.pk}/"
    etag = manager.get(item)["ETag"]
    assert etag == f'W/"{request.pk}-1"'
    stale = manager.post(f"{item}approve/", {}, {"If-Match": f'W/"{request.pk}-0"'})
    assert_problem(stale, 412)
    assert_problem(manager.post(f"{item}approve/", {"version": 7}), 412)
    approved = manager.post(f"{item}approve/", {"comment": "Enjoy"}, {"If-Match": etag})
    assert approved.status_code == 200, approved.content
    assert body(approved)["status"] == "approved" and approved["ETag"] == f'W/"{request.pk}-2"'
    again = assert_problem(manager.post(f"{item}reject/", {}), 409)
    assert "already approved" in again["detail"]
    # Only a pending request changes.
    assert_problem(manager.patch(item, {"reason": "x"}), 403)  # the manager requests nothing
    changed = MemberApi("member1@demo-bv.test").patch(item, {"reason": "Later"})
    assert_problem(changed, 409)
    steps = body(manager.get(f"{item}history/"))["results"]
    assert [s["action"] for s in steps] == ["requested", "approved"]
    assert steps[1]["actor"] == "manager@demo-bv.test" and steps[1]["comment"] == "Enjoy"
    assert set(steps[0]) == {
        "version",
        "action",
        "changed_at",
        "actor",
        "changed_fields",
        "old_values",
        "new_values",
        "comment",
    }


def test_changing_rejecting_and_cancelling(bv, api):
    request = ask(bv, "member1@demo-bv.test")
    worker = MemberApi("member1@demo-bv.test")
    item = f"{URL}{request.pk}/"
    later = request.end_date.replace(day=request.end_date.day)  # same day: a new reason only
    changed = worker.patch(item, {"reason": "Changed plans", "end_date": str(later), "version": 1})
    assert changed.status_code == 200, changed.content
    assert body(changed)["version"] == 2 and body(changed)["reason"] == "Changed plans"
    assert_problem(worker.patch(item, {"reason": "Stale", "version": 1}), 412)
    assert_problem(worker.patch(item, {"status": "approved"}), 422)  # not a field one sends
    rejected = MemberApi("manager@demo-bv.test").post(f"{item}reject/", {"comment": "Busy"})
    assert body(rejected)["status"] == "rejected"
    assert body(rejected)["decision_comment"] == "Busy"
    other = ask(bv, "member1@demo-bv.test", weeks=9)
    cancelled = api(WRITE).post(f"{URL}{other.pk}/cancel/", {"reason": "Plans changed"})
    assert body(cancelled)["status"] == "cancelled"
    assert_problem(api(WRITE).post(f"{URL}{other.pk}/cancel/", {}), 409)


def test_filters_and_cursor_pages(api, bv):
    first = ask(bv, "member1@demo-bv.test")
    second = ask(bv, "member2@demo-bv.test", weeks=10)
    MemberApi("manager@demo-bv.test").post(f"{URL}{second.pk}/approve/", {})
    client = api(READ)
    assert ids(client.get(f"{URL}?status=approved")) == {second.pk}
    assert ids(client.get(f"{URL}?employee={first.employee_id}")) == {first.pk}
    day = first.start_date.isoformat()
    assert ids(client.get(f"{URL}?from={day}&to={day}")) == {first.pk}
    assert ids(client.get(f"{URL}?leave_type={first.leave_type_id}")) == {first.pk, second.pk}
    assert_problem(client.get(f"{URL}?from=someday"), 400)
    # An id too large for the database, or not a whole number, is a 400 (was a 500).
    for bad in ("1.1828299014780451e%2B23", "99999999999999999999999", "1.5", "0"):
        assert_problem(client.get(f"{URL}?leave_type={bad}&status=rejected"), 400)
    page = body(client.get(f"{URL}?page_size=1"))
    assert len(page["results"]) == 1 and page["next"]
    nxt = page["next"].split("/api/v1/leave-requests/")[1]
    rest = body(client.get(f"{URL}{nxt}"))
    assert {page["results"][0]["id"], rest["results"][0]["id"]} == {first.pk, second.pk}
