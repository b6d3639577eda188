"""Sick periods on the web: reporting one (oneself; HR for anyone), one period's page
(the reason and note only with timeoff.view_sickness, each opening audited; a manager
sees only "Absent from .. to .."), closing, reopening, changing, deleting, the list."""

from __future__ import annotations

import datetime as dt

import pytest

from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from kluis.timeoff.models import Absence
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of

REASON = "Broken wrist skiing"
NOTE = "Note from the doctor handed in"


@pytest.fixture
def sick(bv) -> Absence:
    return services.register_absence(
        actor_for("member1@demo-bv.test", "demo-bv"),
        employee_of("member1@demo-bv.test"),
        {"start_date": dt.date.today(), "reason": REASON, "note": NOTE},
    )


def _viewed(absence: Absence) -> int:
    return AuditEvent.objects.filter(
        action="absence.sensitive_viewed", object_id=str(absence.pk)
    ).count()


def test_an_employee_reports_sick_for_themself(login, bv):
    client = login("member2@demo-bv.test", "demo-bv")
    form = client.get("/time-off/sick/new/").content.decode()
    assert 'name="employee"' not in form
    assert f'value="{dt.date.today():%Y-%m-%d}"' in form  # starts today by default
    answer = client.post(
        "/time-off/sick/new/",
        {"kind": "sickness", "start_date": dt.date.today().isoformat(), "reason": "Flu"},
    )
    absence = Absence.objects.get(employee=employee_of("member2@demo-bv.test"))
    assert answer.status_code == 302 and answer["Location"] == f"/time-off/absences/{absence.pk}/"
    assert absence.end_date is None and absence.reason_sealed and "Flu" not in absence.reason_sealed


def test_a_refused_report_says_why_and_changes_nothing(login, bv):
    client = login("member2@demo-bv.test", "demo-bv")
    far = dt.date.today() + dt.timedelta(days=60)
    answer = client.post("/time-off/sick/new/", {"kind": "sickness", "start_date": far})
    assert answer.status_code == 200
    assert "A sick period starts at most a month ahead." in answer.content.decode()
    assert not Absence.objects.filter(employee=employee_of("member2@demo-bv.test")).exists()


def test_hr_reports_someone_else_sick(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    member3 = employee_of("member3@demo-bv.test")
    assert 'name="employee"' in client.get("/time-off/sick/new/").content.decode()
    client.post(
        "/time-off/sick/new/",
        {"employee": member3.pk, "kind": "sickness", "start_date": dt.date.today()},
    )
    assert Absence.objects.filter(employee=member3).exists()


def test_a_manager_cannot_report_sick_for_the_team(login, bv):
    client = login("manager@demo-bv.test", "demo-bv")
    form = client.get("/time-off/sick/new/").content.decode()
    assert 'name="employee"' not in form  # only for themself
    member1 = employee_of("member1@demo-bv.test")
    client.post(
        "/time-off/sick/new/",
        {"employee": member1.pk, "kind": "sickness", "start_date": dt.date.today()},
    )
    assert not Absence.objects.filter(employee=member1).exists()


def test_hr_reads_the_reason_and_each_reading_is_audited(login, sick):
    client = login("hr@demo-bv.test", "demo-bv")
    html = client.get(f"/time-off/absences/{sick.pk}/").content.decode()
    assert REASON in html and NOTE in html and "Sickness" in html
    client.get(f"/time-off/absences/{sick.pk}/")
    assert _viewed(sick) == 2


def test_the_manager_sees_only_absent_from_to_never_kind_reason_or_note(login, sick):
    client = login("manager@demo-bv.test", "demo-bv")
    html = client.get(f"/time-off/absences/{sick.pk}/").content.decode()
    assert "Absent since" in html
    assert REASON not in html and NOTE not in html and "Sickness" not in html
    assert _viewed(sick) == 0
    listing = client.get("/time-off/absences/").content.decode()
    assert f'data-absence="{sick.pk}"' in listing
    assert REASON not in listing and "Sickness" not in listing
    assert client.post(f"/time-off/absences/{sick.pk}/", {"action": "delete"}).status_code == 403


def test_a_colleague_reaches_no_sick_period_of_another(login, sick):
    client = login("member2@demo-bv.test", "demo-bv")
    assert client.get(f"/time-off/absences/{sick.pk}/").status_code == 404
    assert f'data-absence="{sick.pk}"' not in client.get("/time-off/absences/").content.decode()


def test_the_employee_closes_and_reopens_their_own_period(login, sick):
    client = login("member1@demo-bv.test", "demo-bv")
    assert REASON in client.get(f"/time-off/absences/{sick.pk}/").content.decode()
    client.post(
        f"/time-off/absences/{sick.pk}/",
        {"action": "close", "version": sick.version, "end_date": dt.date.today().isoformat()},
    )
    sick.refresh_from_db()
    assert sick.end_date == dt.date.today()
    client.post(f"/time-off/absences/{sick.pk}/", {"action": "reopen", "version": sick.version})
    sick.refresh_from_db()
    assert sick.end_date is None
    html = client.get(f"/time-off/absences/{sick.pk}/").content.decode()
    assert "Changed" in html and "Last day" in html  # the history


def test_hr_extends_a_period_and_a_stale_save_is_refused(login, sick):
    client = login("hr@demo-bv.test", "demo-bv")
    end = dt.date.today() + dt.timedelta(days=5)
    data = {
        "action": "change",
        "kind": "sickness",
        "start_date": sick.start_date.isoformat(),
        "end_date": end.isoformat(),
        "reason": REASON,
        "note": NOTE,
        "version": sick.version,
    }
    assert client.post(f"/time-off/absences/{sick.pk}/", data).status_code == 302
    sick.refresh_from_db()
    assert sick.end_date == end
    stale = client.post(f"/time-off/absences/{sick.pk}/", {**data, "end_date": ""})
    assert stale.status_code == 400 and "Someone changed this" in stale.content.decode()
    sick.refresh_from_db()
    assert sick.end_date == end


def test_hr_deletes_a_period_registered_by_mistake(login, sick):
    client = login("hr@demo-bv.test", "demo-bv")
    asked = client.post(
        f"/time-off/absences/{sick.pk}/", {"action": "delete", "version": sick.version}
    )
    assert b'data-testid="confirm-page"' in asked.content
    assert Absence.objects.filter(pk=sick.pk).exists()
    answer = client.post(
        f"/time-off/absences/{sick.pk}/",
        {"action": "delete", "version": sick.version, "confirmed": "1"},
    )
    assert answer.status_code == 302 and answer["Location"] == "/time-off/absences/"
    assert not Absence.objects.filter(pk=sick.pk).exists()


def test_the_list_filters_open_and_closed_and_by_employee(login, sick, bv):
    closed = services.register_absence(
        actor_for("member2@demo-bv.test", "demo-bv"),
        employee_of("member2@demo-bv.test"),
        {"start_date": dt.date.today() - dt.timedelta(days=9), "end_date": dt.date.today()},
    )
    client = login("hr@demo-bv.test", "demo-bv")
    html = client.get("/time-off/absences/?state=open").content.decode()
    assert f'data-absence="{sick.pk}"' in html and f'data-absence="{closed.pk}"' not in html
    html = client.get("/time-off/absences/?state=closed").content.decode()
    assert f'data-absence="{closed.pk}"' in html and f'data-absence="{sick.pk}"' not in html
    html = client.get(f"/time-off/absences/?employee={closed.employee_id}").content.decode()
    assert f'data-absence="{closed.pk}"' in html and f'data-absence="{sick.pk}"' not in html
    assert REASON not in html  # the list never shows a reason, even to HR


def test_another_companys_user_gets_404_for_every_period_url(login, sick):
    client = login("hr@other-nv.test", "other-nv")
    assert client.get(f"/time-off/absences/{sick.pk}/").status_code == 404
    assert client.post(f"/time-off/absences/{sick.pk}/", {"action": "delete"}).status_code == 404
    assert f'data-absence="{sick.pk}"' not in client.get("/time-off/absences/").content.decode()
    assert Absence.objects.filter(pk=sick.pk).exists()


def test_anonymous_is_sent_to_sign_in(client, sick):
    for url in ("/time-off/sick/new/", "/time-off/absences/", f"/time-off/absences/{sick.pk}/"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]
