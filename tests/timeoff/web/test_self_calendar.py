"""My calendar (/time-off/): the month with weekends, public holidays, closing days, my
leave (pending and approved) and sick days; my balances; my requests; one balance line by
line. As the employee, a manager, HR, another company's member and nobody signed in."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kluis.timeoff import calendar, services
from kluis.timeoff.models import LeaveType
from tests.timeoff.conftest import employee_of, grant

URL = "/time-off/"


def month_param(day: dt.date) -> str:
    return day.strftime("%Y-%m")


def cell(html: str, day: dt.date) -> str:
    """The calendar cell of one day."""
    match = re.search(rf'<td[^>]*data-date="{day.isoformat()}">(.*?)</td>', html, re.S)
    assert match, f"no cell for {day}"
    return match.group(1)


def test_anonymous_is_sent_to_sign_in(client, demo):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_member_without_an_employee_file_is_told_so(demo, login):
    response = login("auditor@demo-bv.test").get(URL)
    assert response.status_code == 200
    assert b'data-testid="no-employee-file"' in response.content


def test_my_month_marks_weekends_and_public_holidays_by_name(bv, login):
    year = dt.date.today().year
    christmas_month = dt.date(year, 12, 1)
    names = calendar.public_holidays(bv, christmas_month, dt.date(year, 12, 31))
    assert names, "Belgium has a public holiday in December"
    day, name = next(iter(names.items()))
    response = login("member1@demo-bv.test").get(URL, {"month": month_param(christmas_month)})
    assert response.status_code == 200
    html = response.content.decode()
    assert name in cell(html, day)
    assert "kluis-cal-holiday" in html
    saturday = next(
        dt.date(year, 12, d) for d in range(1, 8) if dt.date(year, 12, d).weekday() == 5
    )
    assert re.search(rf'class="[^"]*kluis-cal-weekend[^"]*"[^>]*data-date="{saturday}"', html)


def test_a_closing_day_is_marked_with_its_name(bv, hr, login, monday):
    services.add_closing_day(hr, bv, {"date": monday, "name": "Bridge day"})
    html = login("member1@demo-bv.test").get(URL, {"month": month_param(monday)}).content
    assert "Bridge day" in cell(html.decode(), monday)


def test_my_pending_and_approved_leave_are_coloured_by_status(
    bv, worker, manager, holiday, monday, login
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    pending = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    tuesday = monday + dt.timedelta(days=1)
    approved = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": tuesday, "end_date": tuesday}
    )
    services.approve_request(manager, approved)
    html = login("member1@demo-bv.test").get(URL, {"month": month_param(monday)}).content.decode()
    assert 'data-testid="leave-pending"' in cell(html, monday)
    assert holiday.name in cell(html, monday)
    assert 'data-testid="leave-approved"' in cell(html, tuesday)
    assert f"/time-off/requests/{pending.pk}/" in html
    # The leave type's colour comes from the page's own (nonce'd) style, never inline.
    assert f".kluis-lt-{holiday.pk}{{--kluis-lt:{holiday.colour}}}" in html
    assert ' style="' not in html


def test_sick_days_show_as_sick(bv, hr, monday, login):
    me = employee_of("member1@demo-bv.test")
    services.register_absence(
        hr, me, {"kind": "sickness", "start_date": monday, "end_date": monday, "reason": "Flu"}
    )
    html = login("member1@demo-bv.test").get(URL, {"month": month_param(monday)}).content.decode()
    assert "Sick" in cell(html, monday)
    assert "Flu" not in html


def test_clicking_a_day_opens_the_request_form_with_that_date(bv, monday, login):
    client = login("member1@demo-bv.test")
    html = client.get(URL, {"month": month_param(monday)}).content.decode()
    link = f"/time-off/request/?date={monday.isoformat()}"
    assert link in cell(html, monday)
    form = client.get(link).content.decode()
    assert f'value="{monday.isoformat()}"' in form


def test_previous_and_next_month_links(bv, login):
    html = login("member1@demo-bv.test").get(URL, {"month": "2026-01"}).content.decode()
    assert 'href="?month=2025-12"' in html
    assert 'href="?month=2026-02"' in html
    assert 'data-date="2026-01-15"' in html


def test_my_balances_show_entitled_remaining_and_pending_in_days(
    bv, worker, holiday, monday, login
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")  # 20 days of 7.6 h
    services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=2)},
    )
    html = login("member1@demo-bv.test").get(URL).content.decode()
    box = re.search(r'data-testid="balance-legal-holiday">(.*?)</section>', html, re.S)
    assert box
    text = box.group(1)
    assert re.search(r'data-testid="entitled">20<', text)
    assert re.search(r'data-testid="pending">3<', text)
    assert re.search(r'data-testid="remaining"[^>]*>20<', text)
    assert re.search(r'data-testid="available">17<', text)


def test_my_requests_list_upcoming_and_past(bv, worker, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    upcoming = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    later = monday + dt.timedelta(days=7)
    withdrawn = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": later, "end_date": later}
    )
    services.cancel_request(worker, withdrawn)
    html = login("member1@demo-bv.test").get(URL).content.decode()
    up = re.search(r'data-testid="upcoming">(.*?)</ul>', html, re.S)
    past = re.search(r'data-testid="past">(.*?)</ul>', html, re.S)
    assert up and f"/time-off/requests/{upcoming.pk}/" in up.group(1)
    assert "1 day" in up.group(1)
    assert past and f"/time-off/requests/{withdrawn.pk}/" in past.group(1)
    assert "Cancelled" in past.group(1)


def test_a_manager_sees_their_own_calendar_not_a_report_s(bv, worker, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    html = login("manager@demo-bv.test").get(URL, {"month": month_param(monday)}).content
    assert 'data-testid="leave-pending"' not in html.decode()
    assert employee_of("manager@demo-bv.test").display_name in html.decode()


# --- One balance line by line ---------------------------------------------------------------


def test_a_balance_explained_line_by_line_with_running_total(
    bv, worker, manager, holiday, monday, login
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    services.approve_request(manager, request)
    response = login("member1@demo-bv.test").get(
        f"/time-off/balances/{holiday.pk}/", {"as_of": monday.isoformat()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    totals = re.findall(r'data-testid="running-total">([^<]+)<', html)
    assert totals == ["20", "19"]
    assert f"/time-off/requests/{request.pk}/" in html


def test_balance_lines_as_of_an_earlier_day_leave_out_later_lines(bv, holiday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    year = dt.date.today().year
    response = login("member1@demo-bv.test").get(
        f"/time-off/balances/{holiday.pk}/", {"as_of": f"{year - 1}-06-01"}
    )
    assert response.status_code == 200
    assert 'data-testid="ledger-line"' not in response.content.decode()


def test_another_company_s_leave_type_is_not_found(demo, login):
    other = LeaveType.objects.for_tenant(demo["demo-bv"]).first()
    assert other is not None
    response = login("member1@other-nv.test").get(f"/time-off/balances/{other.pk}/")
    assert response.status_code == 404


def test_a_type_without_balance_has_no_lines_page(bv, login):
    remote = LeaveType.objects.for_tenant(bv).get(code="remote")
    response = login("member1@demo-bv.test").get(f"/time-off/balances/{remote.pk}/")
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/time-off/", "/time-off/request/"])
def test_my_pages_fit_a_phone_markup_has_viewport_and_no_inline_style(bv, login, path):
    html = login("member1@demo-bv.test").get(path).content.decode()
    assert 'name="viewport"' in html
    assert ' style="' not in html
