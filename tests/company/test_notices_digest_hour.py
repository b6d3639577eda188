"""The hour of the daily digest, each member's own: chosen on the preferences page (07:00
unless chosen, local time), the digest goes out at that hour and not at another, once a
day however many runs of the job there are, once a day too for someone who moves their
hour after today's went; an hour nobody ran (workers down) is caught up later that day."""

from __future__ import annotations

import datetime as dt

from django.core import mail
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.company.models import (
    Delivery,
    Notice,
    NoticeDigestRun,
    NoticeDigestSchedule,
    NoticePreference,
)
from kluis.company.notices import notify
from kluis.company.notices_delivery import send_digests
from kluis.company.notices_preferences import digest_hour_of, set_preferences
from tests.conftest import actor_for, member

APPROVED = "leave_request.approved"
EARLY, LATE = "member1@demo-bv.test", "member2@demo-bv.test"


def at(hour: int, days: int = 0, minute: int = 5) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _waiting_for(email: str, title: str, created: dt.datetime) -> Notice:
    [notice] = notify([member(email)], topic=APPROVED, compose=lambda: (title, ""), url="/")
    Notice.objects.filter(pk=notice.pk).update(created_at=created)
    return notice


def _to(email: str) -> list[mail.EmailMessage]:
    return [m for m in mail.outbox if m.to == [email]]


def test_a_member_with_hour_18_gets_nothing_at_7_and_the_digest_at_18(demo):
    for email in (EARLY, LATE):
        set_preferences(actor_for(email), {APPROVED: Delivery.DIGEST})
    set_preferences(actor_for(LATE), {}, digest_hour=18)
    assert digest_hour_of(actor_for(LATE)) == 18 and digest_hour_of(actor_for(EARLY)) == 7
    _waiting_for(EARLY, "For the early one", at(5))
    _waiting_for(LATE, "For the late one", at(5))
    mail.outbox = []

    assert send_digests(at(7)) == 1
    assert len(_to(EARLY)) == 1 and _to(LATE) == []  # 07:00: only the default hour
    assert send_digests(at(17)) == 0 and _to(LATE) == []
    assert send_digests(at(18)) == 1
    [late] = _to(LATE)
    assert "For the late one" in late.body and "For the early one" not in late.body
    # Two runs of the job in the same hour (two workers): one e-mail.
    assert send_digests(at(18, minute=40)) == 0
    assert send_digests(at(19)) == 0
    assert len(_to(LATE)) == 1 and len(_to(EARLY)) == 1
    assert NoticeDigestRun.objects.get(day=timezone.localdate(), hour=18).sent == 1
    # The next day at 18:00 again, with what came since.
    _waiting_for(LATE, "The next day's", at(9, days=1))
    assert send_digests(at(7, days=1)) == 0
    assert send_digests(at(18, days=1)) == 1
    assert "The next day's" in _to(LATE)[1].body


def test_once_a_day_even_when_the_member_moves_their_hour_after_today_s(demo):
    actor = actor_for(LATE)
    set_preferences(actor, {APPROVED: Delivery.DIGEST})
    _waiting_for(LATE, "Morning news", at(5))
    mail.outbox = []
    assert send_digests(at(7)) == 1
    set_preferences(actor, {}, digest_hour=18)
    _waiting_for(LATE, "Afternoon news", at(12))
    assert send_digests(at(18)) == 0  # today's went at 07:00
    assert len(_to(LATE)) == 1
    assert send_digests(at(18, days=1)) == 1  # and tomorrow at the new hour
    assert "Afternoon news" in _to(LATE)[1].body


def test_an_hour_nobody_ran_is_caught_up_later_that_day(demo):
    set_preferences(actor_for(LATE), {APPROVED: Delivery.DIGEST}, digest_hour=18)
    _waiting_for(LATE, "Kept waiting", at(10))
    mail.outbox = []
    assert send_digests(at(20)) == 1  # no run at 18:00 or 19:00 (the workers were down)
    assert "Kept waiting" in _to(LATE)[0].body
    assert set(
        NoticeDigestRun.objects.filter(day=timezone.localdate()).values_list("hour", flat=True)
    ) == set(range(21))


def test_the_preferences_page_keeps_the_hour_and_the_audit_log_says_so(demo, login):
    client = login(LATE)
    page = client.get("/inbox/preferences/", secure=True).content.decode()
    assert 'name="digest_hour"' in page and '<option value="7" selected>07:00</option>' in page
    assert 'for="id_digest_hour"' in page  # labelled
    response = client.post("/inbox/preferences/", {"digest_hour": "18"}, secure=True)
    assert response.status_code == 302
    assert digest_hour_of(actor_for(LATE)) == 18
    page = client.get("/inbox/preferences/", secure=True).content.decode()
    assert '<option value="18" selected>18:00</option>' in page
    event = AuditEvent.objects.filter(action="notice_preferences.changed").latest("sequence")
    assert event.changes == {"digest_hour": {"old": "07:00", "new": "18:00"}}
    # Back to 07:00; and an hour that is none is refused with nothing saved.
    client.post("/inbox/preferences/", {"digest_hour": "7"}, secure=True)
    assert digest_hour_of(actor_for(LATE)) == 7
    for wrong in ("24", "x", "-1"):
        refused = client.post(
            "/inbox/preferences/", {"digest_hour": wrong, APPROVED: "digest"}, secure=True
        )
        assert refused.status_code == 400
        assert "Choose an hour of the day for the daily e-mail." in refused.content.decode()
    assert digest_hour_of(actor_for(LATE)) == 7
    assert not NoticePreference.objects.filter(membership=member(LATE), kind=APPROVED).exists()


def test_the_hour_is_per_company_and_only_one_s_own(demo):
    set_preferences(actor_for("consultant@kluis.test", "demo-bv"), {}, digest_hour=6)
    assert digest_hour_of(actor_for("consultant@kluis.test", "other-nv")) == 7
    schedule = NoticeDigestSchedule.objects.get(hour=6)
    assert schedule.membership == member("consultant@kluis.test", "demo-bv")
    assert schedule.tenant_id == demo["demo-bv"].pk
