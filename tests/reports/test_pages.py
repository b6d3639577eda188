"""The report pages and their CSV exports over HTTP: who may open which report, the chart
as well-formed accessible SVG, the table, the CSV holding the same figures (suppressed
ones included, spreadsheet formulas defused), the audit trail of exports, and SQL queries
that do not grow with the company."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.people.models import Department, Employment
from kluis.people.services import create_department, hire_employee
from kluis.reports.catalogue import REPORTS
from kluis.tenancy.models import Tenant

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
HR = "hr@rapport.test"
MANAGER = "manager@rapport.test"
EMPLOYEE = "ann@rapport.test"
PERIOD = {"to": "2025-12", "months": "12"}
AS_OF = {"on": "2025-12-31"}


def listed(client) -> list[str]:
    response = client.get("/reports/")
    assert response.status_code == 200
    return [key for key in REPORTS if f'data-report="{key}"' in response.content.decode()]


def rows_of(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_hr_sees_every_report_a_manager_those_of_their_team(sign_in):
    assert listed(sign_in(HR)) == list(REPORTS)
    # No sickness details and no birth dates for a manager: no absence or age report.
    assert listed(sign_in(MANAGER)) == ["headcount", "turnover", "leave", "contracts", "tenure"]


@pytest.mark.parametrize("key", ["absence", "age"])
def test_a_manager_gets_403_for_sickness_and_age(sign_in, key):
    client = sign_in(MANAGER)
    assert client.get(f"/reports/{key}/").status_code == 403
    assert client.get(f"/reports/{key}/export.csv").status_code == 403


def test_an_employee_gets_403_for_every_report(sign_in):
    client = sign_in(EMPLOYEE)
    assert client.get("/reports/").status_code == 403
    for key in REPORTS:
        assert client.get(f"/reports/{key}/").status_code == 403, key
        assert client.get(f"/reports/{key}/export.csv").status_code == 403, key


def test_an_unknown_report_is_404(sign_in):
    assert sign_in(HR).get("/reports/salaries/").status_code == 404


@pytest.mark.parametrize("key", list(REPORTS))
def test_each_page_has_an_accessible_svg_chart_and_a_table(sign_in, key):
    response = sign_in(HR).get(f"/reports/{key}/", {**PERIOD, **AS_OF, "year": "2025"})
    assert response.status_code == 200
    page = response.content.decode()
    start, end = page.index("<svg"), page.index("</svg>") + len("</svg>")
    svg = ET.fromstring(page[start:end])  # noqa: S314  (well-formed XML; our own page)
    assert svg.get("role") == "img"
    assert svg.get("viewBox") == "0 0 640 320"  # scales to any width, 390 px included
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None and title.text and desc is not None and desc.text
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "<caption" in page and 'scope="col"' in page and 'scope="row"' in page
    assert f"/reports/{key}/export.csv?" in page
    assert "<script" not in page[start:end] and "style=" not in page[start:end]


def test_a_page_opened_without_filters_shows_their_defaults_in_the_form(sign_in):
    """The month field reads the last complete month, not an empty "--------- ----"."""
    today = dt.date.today()
    last = (today.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    page = sign_in(HR).get("/reports/headcount/").content.decode()
    field = page[page.index('name="to"') - 200 : page.index('name="to"') + 200]
    assert f'value="{last}"' in field, field
    chosen = sign_in(HR).get("/reports/headcount/", {"to": "2025-06"}).content.decode()
    assert 'value="2025-06"' in chosen


def test_turnover_csv_holds_the_tables_figures(sign_in):
    response = sign_in(HR).get("/reports/turnover/export.csv", PERIOD)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "no-store" in response["Cache-Control"]
    rows = rows_of(response)
    assert list(rows[0]) == ["month", "hires", "leavers", "average_headcount", "turnover_pct"]
    assert rows[5] == {
        "month": "2025-06",
        "hires": "0",
        "leavers": "1",
        "average_headcount": "11.0",
        "turnover_pct": "9.1",
    }
    assert rows[-1] == {
        "month": "total",
        "hires": "5",
        "leavers": "2",
        "average_headcount": "10.8",
        "turnover_pct": "18.5",
    }
    event = AuditEvent.objects.filter(action="report.exported").latest("sequence")
    assert event.object_id == "turnover" and event.changes["rows"] == 13
    assert event.changes["filters"] == {"to": "2025-12", "months": "12"}


def test_the_csv_leaves_small_groups_out_too(sign_in):
    response = sign_in(HR).get("/reports/age/export.csv", {"on": "2025-06-01"})
    rows = {row["department"]: row for row in rows_of(response)}
    assert rows["Sales"]["under_25"] == ""  # left out; the row's note says why
    assert rows["Sales"]["note"] == "fewer than 5 people: not shown"
    assert rows["Sales"]["people"] == "4"
    # Mara is 44 until 15 June: Ann, Dirk and Mara are 35-44.
    assert rows["Engineering"]["people"] == "7" and rows["Engineering"]["35_44"] == "3"
    absence = rows_of(sign_in(HR).get("/reports/absence/export.csv", PERIOD))
    march = [r for r in absence if r["department"] == "Sales" and r["month"] == "2025-03"]
    assert march[0]["sick_days"] == "" and march[0]["absence_rate_pct"] == ""
    assert march[0]["note"] == "fewer than 5 people: not shown"


def test_the_page_shows_the_small_group_note(sign_in):
    page = sign_in(HR).get("/reports/age/", {"on": "2025-06-01"}).content.decode()
    assert "fewer than 5 people: not shown" in page


def test_a_label_that_looks_like_a_formula_is_defused(sign_in, rapport):
    system = Actor.system("reports test", rapport)
    evil = create_department(system, rapport, name="=HYPERLINK(1)")
    hire_employee(
        system,
        rapport,
        {
            "first_name": "Zoe",
            "last_name": "Rapport",
            "employment": {
                "start_date": dt.date(2025, 4, 1),
                "job_title": "Staff",
                "department": evil,
            },
        },
    )
    rows = rows_of(sign_in(HR).get("/reports/tenure/export.csv", AS_OF))
    assert "'=HYPERLINK(1)" in [row["department"] for row in rows]


def test_a_manager_exports_only_their_teams_figures(sign_in):
    rows = rows_of(sign_in(MANAGER).get("/reports/headcount/export.csv", PERIOD))
    assert [row["headcount"] for row in rows] == [
        "5", "6", "7", "7", "7", "7", "6", "6", "6", "6", "6", "6",
    ]  # fmt: skip
    page = sign_in(MANAGER).get("/reports/headcount/", PERIOD).content.decode()
    assert "Figures for your team" in page


def test_another_companys_department_is_no_filter(sign_in, demo):
    other = Department.objects.for_tenant(demo["demo-bv"]).first()
    assert other is not None
    response = sign_in(HR).get("/reports/headcount/", {"department": other.pk})
    assert response.status_code == 400
    assert "<svg" not in response.content.decode()


def test_a_bad_month_is_a_clear_error(sign_in):
    response = sign_in(HR).get("/reports/headcount/", {"to": "2025-13"})
    assert response.status_code == 400
    assert "Enter a month as YYYY-MM." in response.content.decode()
    assert sign_in(HR).get("/reports/headcount/export.csv", {"to": "x"}).status_code == 400


def test_another_company_never_counts(sign_in, login, rapport, demo):
    on = dt.date(2025, 12, 31)
    employed = (
        Employment.objects.for_tenant(demo["demo-bv"])
        .filter(start_date__lte=on)
        .exclude(end_date__lt=on)
        .values("employee_id")
        .distinct()
        .count()
    )
    demo_hr = login("hr@demo-bv.test", "demo-bv")
    rows = rows_of(demo_hr.get("/reports/tenure/export.csv", AS_OF))
    assert rows[-1]["people"] == str(employed)
    mine = rows_of(sign_in(HR).get("/reports/tenure/export.csv", AS_OF))
    assert mine[-1]["people"] == "11"


def _queries(client, key: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/reports/{key}/", {**PERIOD, **AS_OF, "year": "2025"})
    assert response.status_code == 200
    return len(captured)


def _hire_more(tenant: Tenant, count: int) -> None:
    system = Actor.system("reports test", tenant)
    department = Department.objects.for_tenant(tenant).get(name="Sales")
    for n in range(count):
        hire_employee(
            system,
            tenant,
            {
                "first_name": f"Extra{chr(65 + n)}",
                "last_name": "Rapport",
                "birth_date": dt.date(1990, 1, 1),
                "employment": {
                    "start_date": dt.date(2024, 1, 1),
                    "job_title": "Staff",
                    "department": department,
                },
            },
        )


@pytest.mark.parametrize("email", [HR, MANAGER])
def test_queries_do_not_grow_with_the_company(sign_in, rapport, email):
    client = sign_in(email)
    keys = [key for key in REPORTS if client.get(f"/reports/{key}/").status_code == 200]
    before = {key: _queries(client, key) for key in keys}
    _hire_more(rapport, 6)
    after = {key: _queries(client, key) for key in keys}
    assert after == before
