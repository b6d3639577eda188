"""The team calendar and HR's company overview: what each viewer may read in a cell
(type and status, "Away", "Absent", a sickness kind; never a reason), the week and month
views, filters, and a page that stays fast and flat in queries as the team grows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.people.models import Department, Employee, Team
from kluis.timeoff import services
from kluis.timeoff.models import Absence, LeaveDay, LeaveRequest, LeaveType
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant, next_weekday

REASON = "Migraine after the dentist"


@pytest.fixture
def week(bv, worker, manager, holiday):
    """member1: two approved days and a pending day this Monday's week; member2: sick
    from the Thursday with a reason (a sick period starts at most a month ahead)."""
    monday = next_weekday(dt.date.today() + dt.timedelta(days=1), 0, tenant=bv)
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    approved = services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=1)},
    )
    services.approve_request(manager, approved)
    pending = services.request_leave(
        worker,
        me,
        {
            "leave_type": holiday,
            "start_date": monday + dt.timedelta(days=2),
            "end_date": monday + dt.timedelta(days=2),
        },
    )
    sick = services.register_absence(
        actor_for("member2@demo-bv.test", "demo-bv"),
        employee_of("member2@demo-bv.test"),
        {"start_date": monday + dt.timedelta(days=3), "reason": REASON, "note": "See you"},
    )
    return {"approved": approved, "pending": pending, "sick": sick, "monday": monday}


def _row(html: str, employee: Employee) -> str:
    start = html.index(f'data-employee="{employee.pk}"')
    return html[start : html.index("</tr>", start)]


def test_manager_sees_type_and_status_and_pending_of_the_team_but_only_absent_for_sickness(
    login, week
):
    html = (
        login("manager@demo-bv.test", "demo-bv")
        .get(f"/time-off/team/?date={week['monday']}")
        .content.decode()
    )
    member1 = _row(html, employee_of("member1@demo-bv.test"))
    assert "Legal holiday (approved)" in member1
    assert "Legal holiday (pending)" in member1
    member2 = _row(html, employee_of("member2@demo-bv.test"))
    assert "Absent" in member2
    assert "Sickness" not in html and REASON not in html and "See you" not in html


def test_a_colleague_sees_away_never_the_type_nor_pending_leave(login, week):
    html = (
        login("member3@demo-bv.test", "demo-bv")
        .get(f"/time-off/team/?date={week['monday']}")
        .content.decode()
    )
    member1 = _row(html, employee_of("member1@demo-bv.test"))
    assert member1.count('data-kind="away"') == 2
    assert "Legal holiday" not in html and "pending" not in member1
    assert "Absent" in _row(html, employee_of("member2@demo-bv.test"))
    assert "Sickness" not in html and REASON not in html


def test_hr_sees_the_sickness_kind_but_never_the_reason_in_the_grid(login, week):
    html = (
        login("hr@demo-bv.test", "demo-bv")
        .get(f"/time-off/team/?date={week['monday']}&view=month&month={week['monday']:%Y-%m}")
        .content.decode()
    )
    # HR's own team is hr + employee; the manager's team is reached by its department.
    assert "kluis-cal-month" in html
    html = (
        login("hr@demo-bv.test", "demo-bv")
        .get(f"/time-off/company/?month={week['monday']:%Y-%m}")
        .content.decode()
    )
    assert "Sickness" in _row(html, employee_of("member2@demo-bv.test"))
    assert REASON not in html and "See you" not in html


def test_the_sick_employee_sees_their_own_kind(login, week):
    html = (
        login("member2@demo-bv.test", "demo-bv")
        .get(f"/time-off/team/?date={week['monday']}")
        .content.decode()
    )
    assert "Sickness" in _row(html, employee_of("member2@demo-bv.test"))
    assert REASON not in html


def test_week_view_shades_weekends_and_month_view_has_every_day(login, week):
    client = login("manager@demo-bv.test", "demo-bv")
    html = client.get(f"/time-off/team/?date={week['monday']}").content.decode()
    assert html.count('class="kluis-cal-day') == 7
    assert html.count('class="kluis-cal-day kluis-cal-off') >= 2
    month = week["monday"].replace(day=1)
    html = client.get(f"/time-off/team/?view=month&month={month:%Y-%m}").content.decode()
    following = (month + dt.timedelta(days=32)).replace(day=1)
    assert html.count('class="kluis-cal-day') == (following - month).days


def test_public_holidays_are_shaded_with_their_name(login, bv):
    html = (
        login("manager@demo-bv.test", "demo-bv")
        .get("/time-off/team/?view=month&month=2026-12")
        .content.decode()
    )
    assert "Kerstmis" in html or "Christmas" in html


def test_filter_by_team_and_department(login, bv, week):
    team = Team.objects.create(tenant=bv, name="Support")
    department = Department.objects.create(tenant=bv, name="Calendar test finance")
    member3 = employee_of("member3@demo-bv.test")
    accountant = employee_of("employee@demo-bv.test")
    Employee.objects.filter(pk=member3.pk).update(team=team)
    Employee.objects.filter(pk=accountant.pk).update(department=department)
    client = login("manager@demo-bv.test", "demo-bv")
    html = client.get(f"/time-off/team/?team={team.pk}").content.decode()
    assert f'data-employee="{member3.pk}"' in html
    assert f'data-employee="{employee_of("member1@demo-bv.test").pk}"' not in html
    html = client.get(f"/time-off/team/?department={department.pk}").content.decode()
    assert f'data-employee="{accountant.pk}"' in html
    assert f'data-employee="{member3.pk}"' not in html


def test_another_companys_team_is_ignored_as_a_filter(login, demo, week):
    other = Team.objects.create(tenant=demo["other-nv"], name="Elsewhere")
    html = (
        login("manager@demo-bv.test", "demo-bv")
        .get(f"/time-off/team/?team={other.pk}")
        .content.decode()
    )
    assert "Elsewhere" not in html
    assert f'data-employee="{employee_of("member1@demo-bv.test").pk}"' in html  # my team


def test_another_companys_user_sees_none_of_our_people(login, week):
    for url in ("/time-off/team/", f"/time-off/team/?date={week['monday']}&view=month"):
        html = login("manager@other-nv.test", "other-nv").get(url).content.decode()
        assert f'data-employee="{employee_of("member1@demo-bv.test").pk}"' not in html
    html = login("hr@other-nv.test", "other-nv").get("/time-off/company/").content.decode()
    assert f'data-employee="{employee_of("member1@demo-bv.test").pk}"' not in html


def test_company_overview_is_hrs(login, bv):
    assert login("manager@demo-bv.test", "demo-bv").get("/time-off/company/").status_code == 403
    assert login("member1@demo-bv.test", "demo-bv").get("/time-off/company/").status_code == 403
    assert login("hr@demo-bv.test", "demo-bv").get("/time-off/company/").status_code == 200


def test_anonymous_is_sent_to_sign_in(client, bv):
    for url in ("/time-off/team/", "/time-off/company/"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


# --- scale ----------------------------------------------------------------------------------


def _department(bv, holiday: LeaveType, size: int, first: dt.date) -> Department:
    """`size` people in one department, each with two days of approved leave, one pending
    day, and every fifth a sick period in the month."""
    department = Department.objects.create(tenant=bv, name=f"Operations {size}")
    people = Employee.objects.bulk_create(
        Employee(
            tenant=bv,
            employee_number=f"OPS{size}-{n}",
            first_name=f"Person{n}",
            last_name=f"Ops{size}",
            department=department,
        )
        for n in range(size)
    )
    days = []
    for n, person in enumerate(people):
        for status, offset in (("approved", 2), ("pending", 9)):
            request = LeaveRequest.objects.create(
                tenant=bv,
                employee=person,
                leave_type=holiday,
                start_date=first + dt.timedelta(days=offset),
                end_date=first + dt.timedelta(days=offset + 1),
                status=status,
                requested_by="test",
            )
            days += [
                LeaveDay(
                    tenant=bv,
                    request=request,
                    employee=person,
                    date=first + dt.timedelta(days=offset + k),
                    hours=7.6,
                )
                for k in range(2)
            ]
        if n % 5 == 0:
            Absence.objects.create(
                tenant=bv,
                employee=person,
                start_date=first + dt.timedelta(days=15),
                end_date=first + dt.timedelta(days=18),
                registered_by="test",
            )
    LeaveDay.objects.bulk_create(days)
    return department


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        answer = client.get(url)
    assert answer.status_code == 200
    return len(captured), answer.content.decode()


def test_month_view_queries_stay_flat_as_the_department_grows(
    login, bv, holiday, django_assert_max_num_queries
):
    first = dt.date(2026, 12, 1)
    small = _department(bv, holiday, 5, first)
    large = _department(bv, holiday, 50, first)
    client = login("hr@demo-bv.test", "demo-bv")
    client.get("/time-off/team/")  # warm the session
    few, _html = _queries(client, f"/time-off/team/?view=month&month=2026-12&department={small.pk}")
    with django_assert_max_num_queries(few):
        many, html = _queries(
            client, f"/time-off/team/?view=month&month=2026-12&department={large.pk}"
        )
    assert many == few
    assert html.count('data-kind="leave"') == 100 and html.count('data-kind="pending"') == 100
    assert html.count('data-kind="absent"') == 10 * 4


def test_company_overview_pages_by_a_hundred_or_as_many_as_asked(login, bv, holiday):
    """Server times are bench/timeoff_bench.py's figures, not a test's."""
    _department(bv, holiday, 250, dt.date(2026, 12, 1))
    client = login("hr@demo-bv.test", "demo-bv")
    url = "/time-off/company/?month=2026-12"
    html = client.get(url).content.decode()
    assert html.count("<tr data-employee=") == 100
    assert "Page 1 of 3" in html
    everyone = client.get(url + "&per_page=500").content.decode()
    assert everyone.count("<tr data-employee=") > 250
    page3 = client.get(url + "&page=3").content.decode()
    assert 50 <= page3.count("<tr data-employee=") <= 100
