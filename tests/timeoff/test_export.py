"""The payroll export: a period's approved leave and absences per employee, as CSV and
XLSX, audited, and never a sickness reason or note (the kind only for who sees sickness
details company-wide)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.models import Role, RoleAssignment, RolePermission
from kluis.audit.models import AuditEvent
from kluis.timeoff import exports, services
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant, next_weekday

pytestmark = pytest.mark.django_db

REASON = "Herniated disc, physiotherapy"
NOTE = "Doctor's note received"


@pytest.fixture
def period(bv, hr, manager, worker, holiday):
    """A whole week without holidays some weeks back: member1 took 3 days of legal
    holiday (the last one half), and was off sick the two days after."""
    monday = next_weekday(dt.date.today() - dt.timedelta(days=60), 0, tenant=bv)
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker,
        me,
        {
            "leave_type": holiday,
            "start_date": monday,
            "end_date": monday + dt.timedelta(days=2),
            "end_part": "morning",
        },
    )
    services.approve_request(manager, request)
    services.register_absence(
        hr,
        me,
        {
            "start_date": monday + dt.timedelta(days=3),
            "end_date": monday + dt.timedelta(days=6),
            "reason": REASON,
            "note": NOTE,
        },
    )
    return monday, monday + dt.timedelta(days=6)


def _csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_has_a_row_per_employee_per_type_and_no_reason(login, bv, period):
    first, last = period
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.get(
        "/time-off/export/", {"from": first.isoformat(), "to": last.isoformat(), "format": "csv"}
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = _csv(response)
    mine = [r for r in rows if r["name"] == "Lotte Maes"]
    by_code = {r["code"]: r for r in mine}
    leave = by_code["legal-holiday"]
    assert (leave["category"], leave["days"], leave["hours"]) == ("Leave", "2.50", "19.00")
    assert leave["department"] == "Engineering" and leave["employee_number"]
    assert leave["sick_days"] == ""
    sick = by_code["sickness"]  # HR sees sickness details company-wide: the kind shows
    assert (sick["type"], sick["days"], sick["hours"], sick["sick_days"]) == (
        "Sickness",
        "2.00",
        "15.20",
        "2.00",
    )
    raw = str(rows)
    assert REASON not in raw and NOTE not in raw


def test_the_export_is_audited_with_who_and_the_period(login, bv, period):
    first, last = period
    client = login("hr@demo-bv.test", "demo-bv")
    b"".join(
        client.get(
            "/time-off/export/", {"from": first.isoformat(), "to": last.isoformat()}
        ).streaming_content
    )
    event = AuditEvent.objects.filter(action="timeoff.exported").latest("sequence")
    assert event.actor_label == "hr@demo-bv.test"
    assert event.changes["from"] == first.isoformat() and event.changes["to"] == last.isoformat()
    assert event.changes["format"] == "csv" and event.changes["rows"] >= 2


def test_the_xlsx_has_the_same_rows_and_no_reason(login, bv, period):
    first, last = period
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.get(
        "/time-off/export/", {"from": first.isoformat(), "to": last.isoformat(), "format": "xlsx"}
    )
    assert response.status_code == 200
    book = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.read("xl/worksheets/sheet1.xml").decode()
    for column in exports.COLUMNS:
        assert f"<t>{column.name}</t>" in sheet
    assert "<t>Lotte Maes</t>" in sheet and "<t>legal-holiday</t>" in sheet
    assert "<t>Sickness</t>" in sheet
    # Days and hours are numbers, not text.
    assert re.search(r"<c r=\"G\d+\"[^>]*><v>2.5</v></c>", sheet)
    assert re.search(r"<c r=\"H\d+\"[^>]*><v>15.2</v></c>", sheet)
    assert REASON not in sheet and NOTE not in sheet


def test_without_sickness_details_an_absence_is_only_an_absence(bv, period):
    """A custom role that manages the calendar but may not see sickness details."""
    first, last = period
    role = Role.objects.create(tenant=bv, name="Payroll clerk")
    RolePermission.objects.create(
        tenant=bv, role=role, permission="timeoff.manage", scope="company"
    )
    clerk = actor_for("employee@demo-bv.test", "demo-bv")
    RoleAssignment.objects.filter(membership=clerk.membership).delete()
    RoleAssignment.objects.create(tenant=bv, membership=clerk.membership, role=role)
    clerk = actor_for("employee@demo-bv.test", "demo-bv")
    rows = exports.rows(clerk, bv, first, last)
    absence = next(r for r in rows if r["category"] == "Absence")
    assert (absence["type"], absence["code"], absence["sick_days"]) == (
        "Absence",
        "absence",
        Decimal("2.00"),
    )
    assert "Sickness" not in repr(rows)


def test_a_bad_period_shows_the_form_with_errors(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.get("/time-off/export/", {"from": "2026-12-01", "to": "2026-11-01"})
    assert response.status_code == 200
    assert b"The last day cannot be before the first day." in response.content
    assert not AuditEvent.objects.filter(action="timeoff.exported").exists()


def test_the_form_proposes_last_month(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    form = client.get("/time-off/export/").context["form"]
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    assert form["from"].initial == last.replace(day=1) and form["to"].initial == last


def test_managers_cannot_export(login, bv):
    client = login("manager@demo-bv.test", "demo-bv")
    response = client.get("/time-off/export/", {"from": "2026-11-01", "to": "2026-11-30"})
    assert response.status_code == 403


def test_another_companys_leave_is_not_in_the_export(bv, demo, hr, period):
    first, last = period
    other = demo["other-nv"]
    other_hr = actor_for("hr@other-nv.test", "other-nv")
    services.register_absence(
        other_hr, employee_of("member1@other-nv.test"), {"start_date": first, "end_date": last}
    )
    names = {row["name"] for row in exports.rows(hr, bv, first, last)}
    assert names == {"Lotte Maes"}
    with pytest.raises(PermissionDenied):
        exports.rows(hr, other, first, last)
