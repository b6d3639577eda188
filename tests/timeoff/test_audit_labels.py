"""The audit log names a leave request and an absence as a person would ("Legal holiday of
Lotte Maes, 3 August 2026 - 5 August 2026"), in the reader's language, from the row as it
is today; a reader who may not see them still reads "someone"; a deleted absence keeps a
readable stored label."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.utils import formats, translation

from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from tests.timeoff.conftest import employee_of, grant, next_weekday

pytestmark = pytest.mark.django_db


def _day(day: dt.date, language: str) -> str:
    with translation.override(language):
        return formats.date_format(day, "DATE_FORMAT")


def _log(client, language: str = "en") -> str:
    return html.unescape(
        client.get("/audit/", secure=True, headers={"accept-language": language}).content.decode()
    )


def test_leave_and_absence_read_as_sentences_in_each_language(bv, hr, worker, holiday, login):
    me = employee_of("member1@demo-bv.test")
    monday = next_weekday(dt.date.today() + dt.timedelta(days=30), 0, tenant=bv)
    grant(me, holiday, "152")
    request = services.request_leave(
        worker,
        me,
        {"leave_type": holiday, "start_date": monday, "end_date": monday + dt.timedelta(days=2)},
    )
    services.register_absence(hr, me, {"start_date": monday - dt.timedelta(days=7)})
    name = me.display_name
    end = monday + dt.timedelta(days=2)

    page = _log(login("hr@demo-bv.test"))
    assert (
        f"requested leave: {holiday.name} of {name}, {_day(monday, 'en')} \u2013 {_day(end, 'en')}"
        in page
    )
    assert (
        f"registered the absence of {name}, from {_day(monday - dt.timedelta(days=7), 'en')}"
        in page
    )
    assert str(request) not in page  # the stored, technical label is not what people read

    dutch = _log(login("hr@demo-bv.test"), "nl")
    assert f"{holiday.name} van {name}, {_day(monday, 'nl')} \u2013 {_day(end, 'nl')}" in dutch

    # The auditor may not see whose leave it is: the label stays hidden.
    auditor = _log(login("auditor@demo-bv.test"))
    assert f"{holiday.name} of {name}" not in auditor
    assert "requested leave: someone" in auditor


def test_a_deleted_absence_keeps_a_readable_label(bv, hr, login):
    me = employee_of("member1@demo-bv.test")
    start = dt.date.today() - dt.timedelta(days=3)
    absence = services.register_absence(hr, me, {"start_date": start, "end_date": start})
    services.delete_absence(hr, absence)

    deleted = AuditEvent.objects.filter(action="absence.deleted").order_by("-sequence").first()
    assert deleted is not None and deleted.object_repr == f"{start}..{start}"
    page = _log(login("hr@demo-bv.test"))
    assert f"deleted the absence {start}..{start}" in page
    assert "absence absence" not in page
