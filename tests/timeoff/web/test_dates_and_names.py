"""Found in a QA walk: the leave and sick forms' dates carry min/max and the server
refuses an absurd year naming the field (not "not employed on 10 March 0066"); the
requester and the decider are shown by name, not by login e-mail (the stored label is
kept as the audit trail has it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kluis.timeoff import services
from kluis.timeoff.models import Absence, LeaveRequest
from tests.timeoff.conftest import employee_of, grant

REQUEST = "/time-off/request/"
SICK = "/time-off/sick/new/"


def _bounds(html: str, name: str) -> tuple[str, str]:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert tag, name
    low = re.search(r'min="([^"]+)"', tag.group(0))
    high = re.search(r'max="([^"]+)"', tag.group(0))
    assert low and high, tag.group(0)
    return low.group(1), high.group(1)


def test_the_date_fields_offer_only_sensible_days(bv, login):
    client = login("member1@demo-bv.test", "demo-bv")
    last = (timezone.localdate() + dt.timedelta(days=2 * 366)).isoformat()
    for url in (REQUEST, SICK):
        html = client.get(url).content.decode()
        for name in ("start_date", "end_date"):
            assert _bounds(html, name) == ("1900-01-01", last), (url, name)


def test_a_leave_request_in_year_66_is_refused_naming_the_field(bv, holiday, login):
    grant(employee_of("member1@demo-bv.test"), holiday, "152")
    client = login("member1@demo-bv.test", "demo-bv")
    answer = client.post(
        REQUEST, {"leave_type": holiday.pk, "start_date": "0066-03-10", "end_date": "0066-03-10"}
    )
    html = answer.content.decode()
    assert answer.status_code == 400
    assert "Enter a first day between 1900-01-01 and" in html
    assert "Enter a last day between 1900-01-01 and" in html
    assert "is not employed on" not in html
    assert not LeaveRequest.objects.filter(employee=employee_of("member1@demo-bv.test")).exists()


def test_a_leave_request_too_far_ahead_is_refused(bv, holiday, worker):
    far = timezone.localdate() + dt.timedelta(days=2 * 366 + 7)
    me = employee_of("member1@demo-bv.test")
    with pytest.raises(ValidationError) as refused:
        services.request_leave(worker, me, {"leave_type": holiday, "start_date": far})
    assert "Enter a first day between" in " ".join(refused.value.message_dict["start_date"])


def test_a_sick_report_in_year_66_is_refused_naming_the_field(bv, login):
    client = login("member2@demo-bv.test", "demo-bv")
    answer = client.post(SICK, {"kind": "sickness", "start_date": "0066-03-10"})
    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Enter a first day between 1900-01-01 and" in html
    assert "is not employed on" not in html
    assert not Absence.objects.filter(employee=employee_of("member2@demo-bv.test")).exists()


def test_requester_and_decider_are_shown_by_name(bv, holiday, monday, worker, manager, login):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    asked = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    boss = employee_of("manager@demo-bv.test")
    inbox = login("manager@demo-bv.test", "demo-bv").get("/time-off/approvals/").content.decode()
    card = inbox.split(f'id="request-{asked.pk}"')[1]
    assert f'data-field="requested-by">{me.display_name}<' in card
    assert "member1@demo-bv.test" not in inbox
    services.approve_request(manager, asked)
    page = login("member1@demo-bv.test", "demo-bv").get(f"/time-off/requests/{asked.pk}/")
    html = page.content.decode()
    assert re.search(rf'data-testid="decided-by">{re.escape(boss.display_name)},', html)
    assert re.search(rf'data-testid="requested-by">{re.escape(me.display_name)},', html)
    assert "manager@demo-bv.test" not in html and "member1@demo-bv.test" not in html
    # What is stored stays the login the audit trail names.
    asked.refresh_from_db()
    assert asked.decided_by == "manager@demo-bv.test"
    assert asked.requested_by == "member1@demo-bv.test"


def test_a_label_that_is_no_member_of_the_company_is_shown_as_stored(
    bv, holiday, monday, worker, login
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    asked = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    # A decider known only by a label: an account of another company, or an API client.
    LeaveRequest.objects.filter(pk=asked.pk).update(
        status="rejected", stage="", decided_by="hr@other-nv.test", decided_at=timezone.now()
    )
    html = login("member1@demo-bv.test", "demo-bv").get(f"/time-off/requests/{asked.pk}/")
    assert 'data-testid="decided-by">hr@other-nv.test,' in html.content.decode()
