"""Requesting leave in the browser (/time-off/request/): the form, its live preview (what
it takes and what is left, or why it would be refused), errors per field with nothing
saved, HR requesting on someone's behalf."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from kluis.timeoff.models import LeaveDay, LeaveRequest, LeaveType
from tests.timeoff.conftest import employee_of, grant

URL = "/time-off/request/"
PREVIEW = "/time-off/request/preview/"


def form_data(leave_type: LeaveType, first: dt.date, last: dt.date | None = None, **extra):
    return {
        "leave_type": leave_type.pk,
        "start_date": first.isoformat(),
        "end_date": (last or first).isoformat(),
        **extra,
    }


def field_errors(html: str, field: str) -> str:
    """The error list under one field of the form."""
    match = re.search(rf'<label for="id_{field}">.*?</div>', html, re.S)
    assert match, f"no field {field}"
    errors = re.search(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', match.group(0), re.S)
    return re.sub(r"<[^>]+>", " ", errors.group(1)).strip() if errors else ""


def test_anonymous_is_sent_to_sign_in(client, demo):
    assert "/accounts/login/" in client.get(URL)["Location"]
    response = client.post(PREVIEW, {})
    assert response.status_code == 302


def test_an_employee_requests_three_days_and_lands_on_the_request(bv, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    client = login("member1@demo-bv.test")
    response = client.post(URL, form_data(holiday, monday, monday + dt.timedelta(days=2)))
    assert response.status_code == 302
    made = LeaveRequest.objects.get(employee=me)
    assert response["Location"] == f"/time-off/requests/{made.pk}/"
    assert made.status == "pending" and made.hours == Decimal("22.80")
    assert made.requested_by == "member1@demo-bv.test"
    page = client.get(response["Location"]).content.decode()
    assert "Your request was sent for approval." in page


def test_the_form_has_no_employee_picker_for_an_employee(bv, login):
    html = login("member1@demo-bv.test").get(URL).content.decode()
    assert 'name="employee"' not in html
    assert '<label for="id_leave_type">' in html
    assert '<label for="id_start_afternoon">' in html


def test_an_employee_cannot_request_for_someone_else_by_posting_a_picker_value(
    bv, holiday, monday, login
):
    me = employee_of("member1@demo-bv.test")
    other = employee_of("member2@demo-bv.test")
    grant(me, holiday, "152")
    grant(other, holiday, "152")
    data = form_data(holiday, monday, employee=other.pk)
    response = login("member1@demo-bv.test").post(URL, data)
    assert response.status_code == 302
    assert not LeaveRequest.objects.filter(employee=other).exists()
    assert LeaveRequest.objects.filter(employee=me).count() == 1


def test_beyond_the_balance_the_form_says_why_and_saves_nothing(bv, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "15.2")
    response = login("member1@demo-bv.test").post(
        URL, form_data(holiday, monday, monday + dt.timedelta(days=4))
    )
    assert response.status_code == 400
    assert "2 days left" in field_errors(response.content.decode(), "leave_type") or (
        "2.00 days left" in field_errors(response.content.decode(), "leave_type")
    )
    assert not LeaveRequest.objects.filter(employee=me).exists()
    assert not LeaveDay.objects.filter(employee=me).exists()


def test_a_last_day_before_the_first_is_an_error_on_the_last_day(bv, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    response = login("member1@demo-bv.test").post(
        URL, form_data(holiday, monday, monday - dt.timedelta(days=3))
    )
    assert response.status_code == 400
    assert "cannot be before the first day" in field_errors(response.content.decode(), "end_date")
    assert not LeaveRequest.objects.filter(employee=me).exists()


def test_a_missing_first_day_is_an_error_on_that_field(bv, holiday, login):
    response = login("member1@demo-bv.test").post(URL, {"leave_type": holiday.pk})
    assert response.status_code == 400
    assert "required" in field_errors(response.content.decode(), "start_date")


def test_a_half_day_and_hours_of_an_hour_based_type(bv, monday, login):
    me = employee_of("member1@demo-bv.test")
    credit = LeaveType.objects.for_tenant(bv).get(code="time-credit")
    client = login("member1@demo-bv.test")
    response = client.post(URL, form_data(credit, monday, hours="2.5"))
    assert response.status_code == 302
    made = LeaveRequest.objects.get(employee=me)
    assert made.hours == Decimal("2.50") and made.requested_hours == Decimal("2.50")
    holiday = LeaveType.objects.for_tenant(bv).get(code="legal-holiday")
    grant(me, holiday, "152")
    tuesday = monday + dt.timedelta(days=1)
    response = client.post(URL, form_data(holiday, tuesday, tuesday, end_morning="on"))
    assert response.status_code == 302
    half = LeaveRequest.objects.filter(employee=me, leave_type=holiday).get()
    assert half.end_part == "morning" and half.hours == Decimal("3.80")


# --- The live preview -----------------------------------------------------------------------


def test_the_preview_tells_what_it_takes_and_what_is_left_and_saves_nothing(
    bv, holiday, monday, login
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    response = login("member1@demo-bv.test").post(
        PREVIEW, form_data(holiday, monday, monday + dt.timedelta(days=2))
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="preview-ok"' in html
    assert re.search(r'data-testid="preview-amount">\s*3 days', html)
    assert "Left after this request:" in html and "17 days" in html
    assert not LeaveRequest.objects.filter(employee=me).exists()


def test_the_preview_says_why_a_request_would_be_refused(bv, holiday, monday, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "7.6")
    html = (
        login("member1@demo-bv.test")
        .post(PREVIEW, form_data(holiday, monday, monday + dt.timedelta(days=1)))
        .content.decode()
    )
    assert 'data-testid="preview-refused"' in html
    assert "Beyond your balance" in html


def test_the_preview_of_a_weekend_says_there_is_no_working_day(bv, holiday, monday, login):
    saturday = monday - dt.timedelta(days=2)
    html = (
        login("member1@demo-bv.test")
        .post(PREVIEW, form_data(holiday, saturday, saturday + dt.timedelta(days=1)))
        .content.decode()
    )
    assert "No working day in this period" in html


def test_an_empty_form_previews_nothing(bv, login):
    html = login("member1@demo-bv.test").post(PREVIEW, {}).content.decode()
    assert 'data-testid="preview-empty"' in html


def test_the_form_carries_the_live_preview_through_htmx(bv, login):
    html = login("member1@demo-bv.test").get(URL).content.decode()
    assert f'hx-post="{PREVIEW}"' in html
    assert 'aria-live="polite"' in html


# --- HR on someone's behalf -----------------------------------------------------------------


def test_hr_requests_leave_on_an_employee_s_behalf(bv, holiday, monday, login):
    member = employee_of("member1@demo-bv.test")
    grant(member, holiday, "152")
    client = login("hr@demo-bv.test")
    form = client.get(URL).content.decode()
    assert 'name="employee"' in form and member.display_name in form
    response = client.post(URL, form_data(holiday, monday, employee=member.pk))
    assert response.status_code == 302
    made = LeaveRequest.objects.get(employee=member)
    assert made.requested_by == "hr@demo-bv.test"


def test_hr_cannot_pick_another_company_s_employee(demo, bv, holiday, monday, login):
    stranger = employee_of("member1@other-nv.test")
    response = login("hr@demo-bv.test").post(URL, form_data(holiday, monday, employee=stranger.pk))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "employee")
    assert not LeaveRequest.objects.filter(employee=stranger).exists()


def test_another_company_s_leave_type_is_not_a_choice(demo, bv, monday, login):
    theirs = LeaveType.objects.for_tenant(demo["other-nv"]).first()
    assert theirs is not None
    response = login("member1@demo-bv.test").post(URL, form_data(theirs, monday))
    assert response.status_code == 400
    assert field_errors(response.content.decode(), "leave_type")
    assert not LeaveRequest.objects.filter(leave_type=theirs).exists()
