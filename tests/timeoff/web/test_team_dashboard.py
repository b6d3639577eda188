"""The dashboard's block: who is away today and this week (names with "Away" or
"Absent" only) and, for approvers, how many requests wait for them."""

from __future__ import annotations

import datetime as dt

from kluis.people.models import Employee
from kluis.timeoff import services
from kluis.timeoff.models import Absence
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant

REASON = "Stomach flu from the canteen"


def _away_today(bv, holiday):
    member1 = employee_of("member1@demo-bv.test")
    grant(member1, holiday, "152")
    services.register_absence(
        actor_for("member2@demo-bv.test", "demo-bv"),
        employee_of("member2@demo-bv.test"),
        {"start_date": dt.date.today(), "reason": REASON},
    )
    return member1


def test_manager_sees_absent_and_the_waiting_requests_never_a_reason(
    login, bv, worker, holiday, monday
):
    member1 = _away_today(bv, holiday)
    services.request_leave(
        worker, member1, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    html = login("manager@demo-bv.test", "demo-bv").get("/").content.decode()
    assert 'data-testid="away-block"' in html
    today = html[html.index('data-testid="away-today"') :]
    today = today[: today.index("</ul>")]
    assert employee_of("member2@demo-bv.test").display_name in today and "Absent" in today
    assert "1 request waits for you" in html and "/time-off/approvals/" in html
    assert REASON not in html and "Sickness" not in html


def test_an_employee_sees_the_team_but_no_approvals(login, bv, holiday):
    _away_today(bv, holiday)
    html = login("member3@demo-bv.test", "demo-bv").get("/").content.decode()
    assert employee_of("member2@demo-bv.test").display_name in html
    assert "wait for you" not in html and "waits for you" not in html
    assert REASON not in html


def test_another_company_sees_none_of_it(login, bv, holiday):
    _away_today(bv, holiday)
    html = login("hr@other-nv.test", "other-nv").get("/").content.decode()
    assert employee_of("member2@demo-bv.test").display_name not in html


def test_hr_sees_the_company_and_a_long_list_is_cut_short(login, bv):
    people = Employee.objects.bulk_create(
        Employee(tenant=bv, employee_number=f"SICK{n}", first_name=f"Sick{n}", last_name="Dash")
        for n in range(17)
    )
    Absence.objects.bulk_create(
        Absence(tenant=bv, employee=p, start_date=dt.date.today(), registered_by="test")
        for p in people
    )
    html = login("hr@demo-bv.test", "demo-bv").get("/").content.decode()
    today = html[html.index('data-testid="away-today"') :]
    today = today[: today.index("</ul>")]
    assert today.count("Dash") == 15 and "and 2 more" in today
    assert "The company" in html
