"""HR's balance writes in the API: `/api/v1/balance-corrections/` (list, read, create;
never changed or deleted), `/api/v1/holiday-certificates/` (create replaces the same
employee and year) and `POST /api/v1/balances/<employee>/not-takeable/`. Read with
timeoff:read scoped by timeoff.view (a manager their team's), write with timeoff:write
(HR); another company reaches nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kluis.timeoff.law.ledger import nl_statutory_extended
from kluis.timeoff.models import HolidayCertificate, LeaveType, LedgerEntry, Rule
from tests.api_client import assert_problem
from tests.timeoff.api.helpers import MemberApi, body
from tests.timeoff.balance_kit import statutory_grant
from tests.timeoff.conftest import employee_of, grant

pytestmark = pytest.mark.django_db

CORRECTIONS = "/api/v1/balance-corrections/"
CERTIFICATES = "/api/v1/holiday-certificates/"


def corrections() -> int:
    return LedgerEntry.objects.filter(kind="correction").count()


def test_hr_corrects_a_balance_and_the_balance_shows_it(api, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    grant(member, holiday, "76")
    hr = MemberApi("hr@demo-bv.test")
    new = {
        "employee": member.pk,
        "leave_type": holiday.pk,
        "days": "-1.5",
        "effective": dt.date.today().isoformat(),
        "note": "Day off agreed before the system",
    }
    made = hr.post(CORRECTIONS, new)
    assert made.status_code == 201, made.content
    shown = body(made)
    assert shown["hours"] == "-11.40" and shown["created_by"] == "hr@demo-bv.test"
    assert made["Location"] == f"{CORRECTIONS}{shown['id']}/"
    assert body(hr.get(made["Location"]))["note"] == "Day off agreed before the system"
    balances = body(hr.get(f"/api/v1/balances/?employee={member.pk}&leave_type={holiday.pk}"))
    assert balances["results"][0]["remaining_days"] == "8.50"
    listed = body(api(["timeoff:read"]).get(f"{CORRECTIONS}?employee={member.pk}"))["results"]
    assert [row["id"] for row in listed] == [shown["id"]]
    assert (
        body(api(["timeoff:read"]).get(f"{CORRECTIONS}?employee={member.pk + 999}"))["results"]
        == []
    )
    # Never changed or deleted: another correction corrects it.
    item = f"{CORRECTIONS}{shown['id']}/"
    assert hr.patch(item, {"note": "x"}).status_code == 405
    assert hr.delete(item).status_code == 405
    # A refusal says why and changes nothing.
    assert_problem(hr.post(CORRECTIONS, new | {"note": ""}), 422)
    assert_problem(hr.post(CORRECTIONS, new | {"employee": 987654321}), 422)
    assert corrections() == 1


def test_an_api_key_writes_with_timeoff_write_and_an_idempotency_key(api, bv, holiday):
    member = employee_of("member2@demo-bv.test")
    new = {"employee": member.pk, "leave_type": holiday.pk, "hours": "7.6", "note": "Bonus"}
    assert_problem(api(["timeoff:read"]).post(CORRECTIONS, new), 403)
    writer = api(["timeoff:write", "timeoff:read"])
    once = writer.post(CORRECTIONS, new, {"Idempotency-Key": "correction-1"})
    again = writer.post(CORRECTIONS, new, {"Idempotency-Key": "correction-1"})
    assert once.status_code == again.status_code == 201
    assert body(once)["id"] == body(again)["id"] and corrections() == 1


def test_holiday_certificates_replace_the_same_year(api, bv):
    member = employee_of("member2@demo-bv.test")
    year = dt.date.today().year - 1
    hr = MemberApi("hr@demo-bv.test")
    first = hr.post(CERTIFICATES, {"employee": member.pk, "year": year, "days": "12"})
    assert first.status_code == 201, first.content
    second = hr.post(
        CERTIFICATES, {"employee": member.pk, "year": year, "days": "9", "employer": "Vorige BV"}
    )
    assert second.status_code == 201 and body(second)["id"] == body(first)["id"]
    assert body(second)["days"] == "9.00" and body(second)["employer"] == "Vorige BV"
    assert HolidayCertificate.objects.get(employee=member).days == Decimal("9")
    listed = body(api(["timeoff:read"]).get(f"{CERTIFICATES}?year={year}"))["results"]
    assert [row["employee"] for row in listed] == [member.pk]
    assert_problem(hr.post(CERTIFICATES, {"employee": member.pk, "year": year, "days": "25"}), 422)
    assert HolidayCertificate.objects.get(employee=member).days == Decimal("9")


def test_dutch_statutory_days_not_takeable(api, demo):
    tenant = demo["other-nv"]
    member = employee_of("member1@other-nv.test")
    statutory = LeaveType.objects.get(tenant=tenant, rule=Rule.NL_STATUTORY)
    year = dt.date.today().year - 1
    statutory_grant(tenant, member, year)
    url = f"/api/v1/balances/{member.pk}/not-takeable/"
    mark = {"leave_type": statutory.pk, "tranche": f"{year}-statutory", "reason": "Sick"}
    assert_problem(api(["timeoff:read"], slug="other-nv").post(url, mark), 403)
    assert_problem(api(["timeoff:write"], slug="demo-bv").post(url, mark), 404)
    writer = api(["timeoff:write"], slug="other-nv")
    assert_problem(writer.post(url, mark | {"tranche": f"{year}"}), 422)
    assert_problem(writer.post(url, mark | {"tranche": f"{year - 5}-statutory"}), 422)
    done = writer.post(url, mark)
    assert done.status_code == 201, done.content
    assert body(done)["expires_on"] == nl_statutory_extended(year).isoformat()
    assert done["Location"] == f"{CORRECTIONS}{body(done)['id']}/"
    assert corrections() == 1


def test_a_manager_reads_their_teams_corrections_and_writes_none(bv, holiday):
    hr = MemberApi("hr@demo-bv.test")
    member = employee_of("member1@demo-bv.test")  # the manager's team
    outside = employee_of("employee@demo-bv.test")
    made = {
        person.pk: body(
            hr.post(
                CORRECTIONS,
                {"employee": person.pk, "leave_type": holiday.pk, "hours": "1", "note": "x"},
            )
        )["id"]
        for person in (member, outside)
    }
    manager = MemberApi("manager@demo-bv.test")
    listed = [row["id"] for row in body(manager.get(CORRECTIONS))["results"]]
    assert listed == [made[member.pk]]
    assert manager.get(f"{CORRECTIONS}{made[member.pk]}/").status_code == 200
    assert_problem(manager.get(f"{CORRECTIONS}{made[outside.pk]}/"), 404)
    new = {"employee": member.pk, "leave_type": holiday.pk, "hours": "8", "note": "More"}
    assert_problem(manager.post(CORRECTIONS, new), 403)
    cert = {"employee": member.pk, "year": 2025, "days": "3"}
    assert_problem(manager.post(CERTIFICATES, cert), 403)
    worker = MemberApi("member2@demo-bv.test")
    assert body(worker.get(CORRECTIONS))["results"] == []
    assert corrections() == 2 and not HolidayCertificate.objects.exists()


def test_another_company_reaches_nothing(api, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    hr = MemberApi("hr@demo-bv.test")
    line = body(
        hr.post(
            CORRECTIONS,
            {"employee": member.pk, "leave_type": holiday.pk, "hours": "1", "note": "x"},
        )
    )["id"]
    other = api(["timeoff:read", "timeoff:write"], slug="other-nv")
    assert body(other.get(CORRECTIONS))["results"] == []
    assert_problem(other.get(f"{CORRECTIONS}{line}/"), 404)
    new = {"employee": member.pk, "leave_type": holiday.pk, "hours": "1", "note": "x"}
    assert_problem(other.post(CORRECTIONS, new), 422)  # not one of its employees
    assert_problem(
        other.post(CERTIFICATES, {"employee": member.pk, "year": 2025, "days": "1"}), 422
    )
    assert corrections() == 1 and not HolidayCertificate.objects.exists()
