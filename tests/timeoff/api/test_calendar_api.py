"""The calendar's other resources: leave types, balances and their lines (queries flat in
the page size), public holidays, closing days and month locks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.timeoff.models import LeaveType, MonthLock
from tests.api_client import assert_problem
from tests.timeoff.api.helpers import MemberApi, ask, body, delete
from tests.timeoff.conftest import employee_of, grant, next_weekday

pytestmark = pytest.mark.django_db
READ = ["timeoff:read"]
WRITE = ["timeoff:read", "timeoff:write"]


def test_leave_types_everyone_reads_hr_writes_a_used_type_is_kept(api, bv):
    listed = body(MemberApi("member1@demo-bv.test").get("/api/v1/leave-types/"))["results"]
    assert "legal-holiday" in {row["code"] for row in listed}
    client = api(WRITE)
    new = {"code": "sabbatical", "name": "Sabbatical", "rule": "none", "unit": "days"}
    assert_problem(api(READ).post("/api/v1/leave-types/", new), 403)
    assert_problem(MemberApi("manager@demo-bv.test").post("/api/v1/leave-types/", new), 403)
    made = client.post("/api/v1/leave-types/", new)
    assert made.status_code == 201, made.content
    item = f"/api/v1/leave-types/{body(made)['id']}/"
    changed = client.patch(item, {"yearly_entitlement": "5", "version": 1})
    assert body(changed)["yearly_entitlement"] == "5.00" and body(changed)["version"] == 2
    assert_problem(client.patch(item, {"name": "x", "version": 1}), 412)
    assert_problem(client.patch(item, {"colour": "red"}), 422)
    assert delete(client, item).status_code == 204
    used = ask(bv, "member1@demo-bv.test").leave_type
    conflict = assert_problem(delete(client, f"/api/v1/leave-types/{used.pk}/"), 409)
    assert "this leave type: archive it instead" in conflict["detail"]
    assert LeaveType.objects.filter(pk=used.pk).exists()


def test_balances_in_hours_and_days_scoped_to_the_reader(api, bv):
    me = employee_of("member1@demo-bv.test")
    holiday = LeaveType.objects.for_tenant(bv).get(code="legal-holiday")
    grant(me, holiday, "152")
    rows = body(api(READ).get(f"/api/v1/balances/?employee={me.pk}&leave_type={holiday.pk}"))
    (row,) = rows["results"]
    assert row["entitled"] == "152.00" and row["entitled_days"] == "20.00"
    assert row["remaining"] == "152.00" and row["unit"] == "days"
    own = body(MemberApi("member1@demo-bv.test").get("/api/v1/balances/"))["results"]
    assert {r["employee"] for r in own} == {me.pk}
    team = body(MemberApi("manager@demo-bv.test").get("/api/v1/balances/?page_size=50"))
    assert me.pk in {r["employee"] for r in team["results"]}
    hr_self = employee_of("employee@demo-bv.test").pk  # reports to HR, not the manager
    assert hr_self not in {r["employee"] for r in team["results"]}
    lines = body(api(READ).get(f"/api/v1/balances/{me.pk}/lines/?leave_type={holiday.pk}"))
    assert [(line["kind"], line["total"]) for line in lines["results"]] == [("grant", "152.00")]
    assert_problem(MemberApi("member2@demo-bv.test").get(f"/api/v1/balances/{me.pk}/lines/"), 404)
    assert_problem(api(READ).get("/api/v1/balances/?as_of=tomorrow"), 400)
    assert_problem(api(["employees:read"]).get("/api/v1/balances/"), 403)


def test_a_page_of_balances_takes_the_same_queries_for_2_or_20_employees(api, bv):
    client = api(READ)
    client.get("/api/v1/balances/?page_size=1")  # the key's first use settles in
    counts = []
    for size in (2, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/balances/?page_size={size}")
        assert response.status_code == 200
        assert len({r["employee"] for r in body(response)["results"]}) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_public_holidays_and_closing_days(api, bv):
    year = dt.date.today().year
    days = body(api(READ).get(f"/api/v1/public-holidays/?from={year}-12-01&to={year}-12-31"))
    assert any(d["date"] == f"{year}-12-25" and d["kind"] == "public" for d in days["results"])
    assert_problem(api(READ).get("/api/v1/public-holidays/?from=2026-01-01&to=2035-01-01"), 400)
    bridge = next_weekday(dt.date.today() + dt.timedelta(days=100), 4, tenant=bv)
    client = api(WRITE)
    assert_problem(
        api(READ).post("/api/v1/closing-days/", {"date": str(bridge), "name": "Bridge"}), 403
    )
    made = client.post("/api/v1/closing-days/", {"date": str(bridge), "name": "Bridge"})
    assert made.status_code == 201, made.content
    shown = body(
        MemberApi("member1@demo-bv.test").get(f"/api/v1/public-holidays/?from={bridge}&to={bridge}")
    )
    assert shown["results"] == [{"date": str(bridge), "name": "Bridge", "kind": "closing"}]
    assert_problem(client.post("/api/v1/closing-days/", {"date": str(bridge), "name": "x"}), 422)
    assert delete(client, f"/api/v1/closing-days/{body(made)['id']}/").status_code == 204


def test_month_locks_lock_unlock_with_if_match(api, bv):
    month = f"{dt.date.today().year - 1}-06"
    assert_problem(api(READ).post("/api/v1/month-locks/", {"month": month, "reason": "P"}), 403)
    client = api(WRITE)
    made = client.post("/api/v1/month-locks/", {"month": month, "reason": "Payroll"})
    assert made.status_code == 201, made.content
    lock = body(made)
    assert lock["month"] == month and lock["locked"] is True
    assert_problem(client.post("/api/v1/month-locks/", {"month": month, "reason": "Again"}), 409)
    item = f"/api/v1/month-locks/{lock['id']}/"
    assert_problem(client.post(f"{item}unlock/", {"reason": "x"}, {"If-Match": 'W/"1-0"'}), 412)
    assert_problem(MemberApi("manager@demo-bv.test").post(f"{item}unlock/", {"reason": "x"}), 403)
    opened = client.post(f"{item}unlock/", {"reason": "Late sick note"}, {"If-Match": made["ETag"]})
    assert opened.status_code == 200, opened.content
    assert body(opened)["locked"] is False and body(opened)["unlock_reason"] == "Late sick note"
    assert_problem(client.post(f"{item}unlock/", {"reason": "again"}), 409)
    assert MonthLock.objects.filter(pk=lock["id"], unlocked_at__isnull=False).exists()
    listed = body(MemberApi("member1@demo-bv.test").get("/api/v1/month-locks/?locked=false"))
    assert lock["id"] in {row["id"] for row in listed["results"]}
