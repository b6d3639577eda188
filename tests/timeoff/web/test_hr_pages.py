"""HR's calendar set-up pages: who reaches them (HR yes; a manager or an employee 403;
another company's rows 404), and that each page's form goes through the services."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.timeoff import services
from kluis.timeoff.models import ClosingDay, LeaveType, MonthLock, TimeoffSettings
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant

pytestmark = pytest.mark.django_db

PAGES = [
    "/time-off/settings/",
    "/time-off/settings/leave-types/",
    "/time-off/settings/leave-types/new/",
    "/time-off/settings/closing-days/",
    "/time-off/settings/month-locks/",
    "/time-off/export/",
]


@pytest.mark.parametrize("path", PAGES)
def test_hr_opens_every_set_up_page(login, bv, path):
    assert login("hr@demo-bv.test", "demo-bv").get(path).status_code == 200


@pytest.mark.parametrize("email", ["manager@demo-bv.test", "member1@demo-bv.test"])
@pytest.mark.parametrize("path", PAGES)
def test_managers_and_employees_are_refused(login, bv, email, path):
    client = login(email, "demo-bv")
    assert client.get(path).status_code == 403
    assert client.post(path, {"name": "x", "reason": "x"}).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client, bv):
    assert client.get("/time-off/settings/").status_code == 302


def test_another_companys_rows_are_404(login, bv, demo):
    other = demo["other-nv"]
    other_hr = actor_for("hr@other-nv.test", "other-nv")
    theirs = LeaveType.objects.for_tenant(other).first()
    closing = services.add_closing_day(
        other_hr, other, {"date": dt.date(timezone.localdate().year + 1, 3, 2), "name": "Theirs"}
    )
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    lock = services.lock_month(other_hr, other, {"month": month, "reason": "Payroll closed"})
    client = login("hr@demo-bv.test", "demo-bv")
    assert client.get(f"/time-off/settings/leave-types/{theirs.pk}/").status_code == 404
    assert (
        client.post(f"/time-off/settings/leave-types/{theirs.pk}/", {"action": "delete"})
    ).status_code == 404
    assert client.post(f"/time-off/settings/closing-days/{closing.pk}/remove/").status_code == 404
    assert (
        client.post(
            f"/time-off/settings/month-locks/{lock.pk}/unlock/", {"reason": "no"}
        ).status_code
        == 404
    )
    assert ClosingDay.objects.filter(pk=closing.pk).exists()
    assert MonthLock.objects.get(pk=lock.pk).is_locked
    assert LeaveType.objects.filter(pk=theirs.pk).exists()
    # Their closing day and lock do not show on our pages.
    assert b"Theirs" not in client.get("/time-off/settings/closing-days/").content
    assert b"Payroll closed" not in client.get("/time-off/settings/month-locks/").content


def _leave_type_post(**changes):
    data = {
        "name": "Wedding leave",
        "code": "wedding",
        "category": "other",
        "unit": "days",
        "rule": "fixed",
        "yearly_entitlement": "2",
        "accrual": "yearly",
        "carry_over_limit": "",
        "expires_after_months": "0",
        "approval": "manager_then_hr",
        "reason_visible_to": "hr",
        "colour": "#aa3300",
        "position": "200",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_hr_adds_changes_turns_off_and_deletes_a_leave_type(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    page = client.get("/time-off/settings/leave-types/new/")
    assert b"Carry-over limit" in page.content and b"Who sees the reason" in page.content
    made = client.post("/time-off/settings/leave-types/new/", _leave_type_post())
    assert made.status_code == 302
    wedding = LeaveType.objects.for_tenant(bv).get(code="wedding")
    assert wedding.approval == "manager_then_hr" and wedding.carry_over_limit is None
    assert wedding.expires_after_months == 0 and wedding.colour == "#aa3300"
    edit = f"/time-off/settings/leave-types/{wedding.pk}/"
    client.post(edit, _leave_type_post(name="Wedding", version=str(wedding.version)))
    wedding.refresh_from_db()
    assert wedding.name == "Wedding" and wedding.version == 2
    client.post(edit, {"action": "turn_off"})
    wedding.refresh_from_db()
    assert wedding.is_active is False
    listing = client.get("/time-off/settings/leave-types/").content.decode()
    assert f"/time-off/settings/leave-types/{wedding.pk}/delete/" not in listing
    shown = client.get("/time-off/settings/leave-types/?archived=1").content.decode()
    assert f"/time-off/settings/leave-types/{wedding.pk}/delete/" in shown and "Archived" in shown
    confirm = client.get(f"{edit}delete/").content.decode()
    assert "Nobody has used this leave type" in confirm
    client.post(edit, {"action": "delete"})
    assert not LeaveType.objects.filter(pk=wedding.pk).exists()
    assert AuditEvent.objects.filter(action="leave_type.deleted").exists()


@pytest.mark.parametrize("email", ["manager@demo-bv.test", "member1@demo-bv.test"])
def test_only_hr_opens_the_confirmations(login, bv, email):
    legal = LeaveType.objects.for_tenant(bv).get(code="legal-holiday")
    client = login(email, "demo-bv")
    for what in ("archive", "delete"):
        url = f"/time-off/settings/leave-types/{legal.pk}/{what}/"
        assert client.get(url).status_code == 403


def test_a_stale_edit_is_refused(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    remote = LeaveType.objects.for_tenant(bv).get(code="remote")
    response = client.post(
        f"/time-off/settings/leave-types/{remote.pk}/",
        _leave_type_post(code="remote", name="Home", version=str(remote.version - 1 or 99)),
    )
    assert response.status_code == 200 and b"Someone changed this" in response.content
    remote.refresh_from_db()
    assert remote.name != "Home"


def test_a_bad_leave_type_shows_field_errors_and_changes_nothing(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    before = LeaveType.objects.for_tenant(bv).count()
    response = client.post(
        "/time-off/settings/leave-types/new/", _leave_type_post(code="legal-holiday")
    )
    assert response.status_code == 200
    assert b"Another leave type has this code." in response.content
    assert LeaveType.objects.for_tenant(bv).count() == before


def test_a_used_leave_type_cannot_be_deleted_and_says_why(login, bv, holiday):
    grant(employee_of("member1@demo-bv.test"), holiday, "10")
    client = login("hr@demo-bv.test", "demo-bv")
    url = f"/time-off/settings/leave-types/{holiday.pk}/"
    confirm = client.get(f"{url}delete/").content.decode()
    said = "1 leave request or balance line uses this leave type: archive it instead"
    assert said in confirm and "disabled" in confirm
    response = client.post(url, {"action": "delete"}, follow=True)
    assert said in response.content.decode()
    assert LeaveType.objects.filter(pk=holiday.pk).exists()
    assert not AuditEvent.objects.filter(action="leave_type.deleted").exists()


def test_settings_change_the_region_and_show_the_public_holidays(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    year = timezone.localdate().year
    page = client.get("/time-off/settings/")
    assert f"holidays-{year + 1}".encode() in page.content
    assert b"install-defaults" not in page.content  # Demo BV was set up when made
    saved = client.post(
        "/time-off/settings/",
        {"country": "DE", "region": "BY", "warn_days_before_expiry": "60"},
    )
    assert saved.status_code == 302
    config = TimeoffSettings.objects.for_tenant(bv).get()
    assert (config.country, config.region, config.warn_days_before_expiry) == ("DE", "BY", 60)
    # Bavaria's Epiphany now shows.
    assert b"Heilige Drei K" in client.get("/time-off/settings/").content


def test_a_region_of_another_country_is_refused(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    response = client.post(
        "/time-off/settings/",
        {"country": "BE", "region": "BY", "warn_days_before_expiry": "60"},
    )
    assert response.status_code == 200
    assert b"Choose a region of the chosen country" in response.content
    assert TimeoffSettings.objects.for_tenant(bv).get().region == ""


def test_a_company_without_calendar_settings_can_set_it_up(login, bv):
    TimeoffSettings.objects.for_tenant(bv).delete()
    LeaveType.objects.for_tenant(bv).filter(code="remote").delete()
    client = login("hr@demo-bv.test", "demo-bv")
    page = client.get("/time-off/settings/")
    assert b"Set up the calendar for Belgium" in page.content
    client.post("/time-off/settings/", {"action": "install", "country": "BE"})
    assert TimeoffSettings.objects.for_tenant(bv).get().country == "BE"
    assert LeaveType.objects.for_tenant(bv).filter(code="remote").exists()
    assert b"install-defaults" not in client.get("/time-off/settings/").content


def test_hr_adds_and_removes_a_closing_day(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    day = dt.date(timezone.localdate().year + 1, 5, 15)
    client.post("/time-off/settings/closing-days/", {"date": day.isoformat(), "name": "Bridge"})
    closing = ClosingDay.objects.for_tenant(bv).get(date=day)
    response = client.post(
        "/time-off/settings/closing-days/", {"date": day.isoformat(), "name": "Again"}
    )
    assert b"already a closing day" in response.content
    asked = client.post(f"/time-off/settings/closing-days/{closing.pk}/remove/")
    assert b'data-testid="confirm-page"' in asked.content
    assert ClosingDay.objects.filter(pk=closing.pk).exists()
    client.post(f"/time-off/settings/closing-days/{closing.pk}/remove/", {"confirmed": "1"})
    assert not ClosingDay.objects.filter(pk=closing.pk).exists()


def test_hr_locks_and_unlocks_a_month_with_reasons(login, bv):
    client = login("hr@demo-bv.test", "demo-bv")
    month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    key = month.strftime("%Y-%m")
    refused = client.post("/time-off/settings/month-locks/", {"month": key, "reason": ""})
    assert refused.status_code == 200 and not MonthLock.objects.for_tenant(bv).exists()
    client.post("/time-off/settings/month-locks/", {"month": key, "reason": "Payroll sent"})
    lock = MonthLock.objects.for_tenant(bv).get(month=month)
    page = client.get("/time-off/settings/month-locks/")
    assert f"unlock-{key}".encode() in page.content and b"Payroll sent" in page.content
    again = client.post("/time-off/settings/month-locks/", {"month": key, "reason": "Twice"})
    assert b"already locked" in again.content
    client.post(f"/time-off/settings/month-locks/{lock.pk}/unlock/", {"reason": "Correction"})
    lock.refresh_from_db()
    assert not lock.is_locked and lock.unlock_reason == "Correction"
    assert lock.unlocked_by == "hr@demo-bv.test"
    history = client.get("/time-off/settings/month-locks/").content
    assert b"Correction" in history and b"Payroll sent" in history
