"""Private iCalendar feeds: one per member, the token stored only as a keyed digest, a
revoked or deactivated one answers 404, and a feed shows exactly what its member may see
(a colleague's sickness only as "absent", never its reason or kind)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from icalendar import Calendar

from kluis.audit.models import AuditEvent
from kluis.timeoff import feeds, services
from kluis.timeoff.models import CalendarFeed, LeaveType
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant

pytestmark = pytest.mark.django_db

SECRET_REASON = "Burn-out after the Q3 release"
SECRET_NOTE = "Sees a psychologist on Tuesdays"


def _events(response) -> dict[str, str]:
    """{uid: summary} of an .ics response."""
    assert response.status_code == 200, response.status_code
    cal = Calendar.from_ical(response.content)
    return {str(e["uid"]): str(e["summary"]) for e in cal.walk("VEVENT")}


def _url(token: str) -> str:
    return f"/time-off/feed/{token}.ics"


@pytest.fixture
def sick_member1(bv, hr):
    """member1 (the demo manager's report) off sick since last week, with a reason."""
    today = timezone.localdate()
    return services.register_absence(
        hr,
        employee_of("member1@demo-bv.test"),
        {
            "start_date": today - dt.timedelta(days=7),
            "end_date": today + dt.timedelta(days=2),
            "reason": SECRET_REASON,
            "note": SECRET_NOTE,
            "kind": "work_accident",
        },
    )


def test_a_manager_sees_a_reports_sickness_only_as_absent(client, bv, manager, sick_member1):
    token = feeds.create_feed(manager)
    response = client.get(_url(token))
    events = _events(response)
    assert events[f"absence-{sick_member1.pk}@demo-bv.kluis"] == "Lotte Maes - absent"
    body = response.content.decode()
    for secret in (SECRET_REASON, SECRET_NOTE, "accident", "Work accident", "Sick"):
        assert secret not in body
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Type"].startswith("text/calendar")


def test_even_hr_sees_a_colleagues_sickness_only_as_absent(client, bv, hr, sick_member1):
    events = _events(client.get(_url(feeds.create_feed(hr))))
    assert events[f"absence-{sick_member1.pk}@demo-bv.kluis"] == "Lotte Maes - absent"


def test_the_sick_employee_sees_their_own_period(client, bv, worker, hr):
    today = timezone.localdate()
    absence = services.register_absence(
        hr, employee_of("member1@demo-bv.test"), {"start_date": today, "reason": SECRET_REASON}
    )
    response = client.get(_url(feeds.create_feed(worker)))
    assert _events(response)[f"absence-{absence.pk}@demo-bv.kluis"] == "Sick"
    assert SECRET_REASON not in response.content.decode()


def test_leave_shows_its_type_only_to_who_may_see_that_persons_leave(
    client, bv, hr, manager, worker, holiday, monday
):
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "152")
    request = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    uid = f"leave-{request.pk}@demo-bv.kluis"
    # Pending: only its employee sees it (with its status).
    assert _events(client.get(_url(feeds.create_feed(worker))))[uid] == "Legal holiday (pending)"
    assert uid not in _events(client.get(_url(feeds.create_feed(manager))))
    services.approve_request(manager, request)
    assert _events(client.get(_url(feeds.create_feed(worker))))[uid] == "Legal holiday"
    # The manager sees their report's leave type; a colleague only that they are away.
    assert _events(client.get(_url(feeds.create_feed(manager))))[uid] == (
        "Lotte Maes - Legal holiday"
    )
    colleague = actor_for("member2@demo-bv.test", "demo-bv")
    assert _events(client.get(_url(feeds.create_feed(colleague))))[uid] == "Lotte Maes - away"


def test_public_holidays_and_closing_days_are_in_the_feed(client, bv, hr, worker):
    next_year = timezone.localdate().year + 1
    closing = services.add_closing_day(
        hr, bv, {"date": dt.date(next_year, 1, 2), "name": "Winter bridge"}
    )
    cal = Calendar.from_ical(client.get(_url(feeds.create_feed(worker))).content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    new_year = events[f"holiday-{next_year}-01-01@demo-bv.kluis"]
    assert new_year.decoded("dtstart") == dt.date(next_year, 1, 1)
    assert new_year.decoded("dtend") == dt.date(next_year, 1, 2)  # all day: end exclusive
    assert str(events[f"closing-{closing.pk}@demo-bv.kluis"]["summary"]) == (
        "Winter bridge (company closed)"
    )


def test_the_token_is_stored_only_as_a_keyed_digest(bv, worker):
    token = feeds.create_feed(worker)
    feed = CalendarFeed.objects.get(membership=worker.membership, revoked_at=None)
    assert token not in feed.digest and feed.digest == feeds.digest(token)
    assert len(token) >= 43 and feed.hint == token[-4:]
    created = AuditEvent.objects.filter(action="calendar_feed.created", object_id=str(feed.pk))
    assert created.exists()


def test_a_new_feed_replaces_the_old_one_and_a_revoked_feed_is_gone(client, bv, worker):
    first = feeds.create_feed(worker)
    second = feeds.create_feed(worker)
    assert client.get(_url(first)).status_code == 404
    assert client.get(_url(second)).status_code == 200
    assert feeds.revoke_feed(worker) is True
    assert client.get(_url(second)).status_code == 404
    assert AuditEvent.objects.filter(action="calendar_feed.revoked").exists()


def test_unknown_tokens_are_404(client, bv):
    assert client.get(_url("x" * 43)).status_code == 404
    assert client.get(_url("short")).status_code == 404


def test_a_deactivated_members_feed_stops_working(client, bv, worker):
    token = feeds.create_feed(worker)
    worker.membership.is_active = False
    worker.membership.save(update_fields=["is_active"])
    assert client.get(_url(token)).status_code == 404


def test_last_used_is_written_at_most_once_a_minute(client, bv, worker):
    token = feeds.create_feed(worker)
    client.get(_url(token))
    feed = CalendarFeed.objects.get(membership=worker.membership, revoked_at=None)
    first_use = feed.last_used_at
    assert first_use is not None
    client.get(_url(token))
    feed.refresh_from_db()
    assert feed.last_used_at == first_use


def test_a_feed_shows_only_its_own_company(client, bv, demo, worker):
    other = actor_for("hr@other-nv.test", "other-nv")
    other_type = LeaveType.objects.for_tenant(demo["other-nv"]).get(code="statutory")
    other_member = employee_of("member1@other-nv.test")
    grant(other_member, other_type, "100")
    monday = timezone.localdate() + dt.timedelta(days=(7 - timezone.localdate().weekday()) % 7 + 14)
    theirs = services.request_leave(
        actor_for("member1@other-nv.test", "other-nv"),
        other_member,
        {"leave_type": other_type, "start_date": monday, "end_date": monday},
    )
    services.approve_request(actor_for("manager@other-nv.test", "other-nv"), theirs)
    events = _events(client.get(_url(feeds.create_feed(worker))))
    assert not any(uid.endswith("@other-nv.kluis") for uid in events)
    theirs_seen = _events(client.get(_url(feeds.create_feed(other))))
    assert f"leave-{theirs.pk}@other-nv.kluis" in theirs_seen


def test_the_feed_is_rate_limited_per_address(client, bv, worker, settings):
    settings.API_RATE_PER_IP = "3/min"
    token = feeds.create_feed(worker)
    codes = [client.get(_url(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_feed_page_shows_the_url_once_and_revokes_it(login, bv):
    client = login("member1@demo-bv.test", "demo-bv")
    page = client.get("/time-off/feed/")
    assert page.status_code == 200 and b"create-feed" in page.content
    made = client.post("/time-off/feed/", {"action": "create"})
    assert made.status_code == 200 and made["Cache-Control"] == "private, no-store"
    url = made.context["feed_url"]
    assert url.startswith("http://testserver/time-off/feed/") and url.endswith(".ics")
    path = url.removeprefix("http://testserver")
    again = client.get("/time-off/feed/")
    assert path.encode() not in again.content and b"revoke-feed" in again.content
    client.post("/time-off/feed/", {"action": "revoke", "confirmed": "1"})
    client.logout()
    assert client.get(path).status_code == 404


def test_the_feed_page_needs_a_sign_in_and_a_calendar_permission(client, login, bv):
    assert client.get("/time-off/feed/").status_code == 302
    auditor = login("auditor@demo-bv.test", "demo-bv")
    assert auditor.get("/time-off/feed/").status_code == 403
