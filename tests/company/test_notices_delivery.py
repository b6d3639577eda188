"""E-mailing notices: at once through the background worker (never in the request), in
the member's language, once; the daily digest as one e-mail per member of their unread
digest notices, sent once a day however many workers run it; nothing sensitive in either."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from kluis.company.models import Delivery, Notice, NoticeDigestRun
from kluis.company.notices import notify
from kluis.company.notices_delivery import DIGEST_HOUR, send_daily_digest, send_digests
from kluis.company.notices_preferences import set_preferences
from kluis.identity.models import User
from kluis.operations import schedule
from tests.conftest import actor_for, member
from tests.timeoff.conftest import employee_of

APPROVED = "leave_request.approved"


def run_queued(task_name: str) -> int:
    """Run the queued tasks as the worker does; how many ran."""
    ran = 0
    for queued in DBTaskResult.objects.filter(task_path__endswith=task_name):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()
        ran += 1
    return ran


def tell(email: str, title: str, *, topic: str = APPROVED, url: str = "/time-off/", capture: Any):
    with capture(execute=True):
        return notify([member(email)], topic=topic, compose=title, url=url)[0]


def test_an_immediate_notice_is_e_mailed_by_the_worker_once_in_the_member_s_language(
    demo, django_capture_on_commit_callbacks, settings
):
    settings.PUBLIC_URL = "https://kluis.example"
    User.objects.filter(email="member1@demo-bv.test").update(language="nl")
    mail.outbox = []
    notice = tell(
        "member1@demo-bv.test",
        lambda: (f"Approved ({translation.get_language()})", "Enjoy."),
        capture=django_capture_on_commit_callbacks,
    )
    assert notice.title == "Approved (nl)" and notice.delivery == Delivery.EMAIL
    assert mail.outbox == []  # not in the request: queued for the worker
    assert run_queued("send_notices") == 1
    [message] = mail.outbox
    assert message.to == ["member1@demo-bv.test"] and message.subject == "Approved (nl)"
    assert "Enjoy." in message.body and "https://kluis.example/time-off/" in message.body
    assert "https://kluis.example/inbox/preferences/" in message.body
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    from kluis.company.notices_delivery import send_notices

    assert send_notices.call([notice.pk]) == 0  # a retried task sends it once
    assert len(mail.outbox) == 1


def test_in_the_app_only_sends_nothing(demo, django_capture_on_commit_callbacks):
    set_preferences(actor_for("member1@demo-bv.test"), {APPROVED: Delivery.APP})
    mail.outbox = []
    tell("member1@demo-bv.test", lambda: ("Quiet", ""), capture=django_capture_on_commit_callbacks)
    assert run_queued("send_notices") == 0 and mail.outbox == []


def test_a_sick_period_tells_the_manager_without_the_reason(
    demo, django_capture_on_commit_callbacks
):
    from kluis.timeoff.services.absences import register_absence

    mail.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        register_absence(
            actor_for("hr@demo-bv.test"),
            employee_of("member1@demo-bv.test"),
            {"start_date": timezone.localdate(), "reason": "Migraine attack", "note": "Private"},
        )
    run_queued("send_notices")
    to_manager = [m for m in mail.outbox if m.to == ["manager@demo-bv.test"]]
    assert len(to_manager) == 1 and "is absent from" in to_manager[0].subject
    for message in mail.outbox:
        assert "Migraine" not in message.body + message.subject
        assert "Private" not in message.body


def at(hour: int, days: int = 0) -> dt.datetime:
    today = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(today, dt.time(hour, 5)))


def test_the_digest_sends_each_member_one_e_mail_once_a_day(
    demo, django_capture_on_commit_callbacks
):
    one, two = actor_for("member1@demo-bv.test"), actor_for("member2@demo-bv.test")
    for actor in (one, two):
        set_preferences(actor, {APPROVED: Delivery.DIGEST})
    for email, title in (
        ("member1@demo-bv.test", "First news"),
        ("member1@demo-bv.test", "Second news"),
        ("member2@demo-bv.test", "Read already"),
    ):
        tell(email, lambda t=title: (t, "Body text"), capture=django_capture_on_commit_callbacks)
    Notice.objects.filter(title="Read already").update(read_at=timezone.now())
    assert run_queued("send_notices") == 0  # nothing at once
    Notice.objects.update(created_at=at(DIGEST_HOUR - 2))
    mail.outbox = []
    assert send_digests(at(DIGEST_HOUR - 1)) == 0  # before the hour: not yet
    assert send_digests(at(DIGEST_HOUR)) == 1
    [message] = mail.outbox
    assert message.to == ["member1@demo-bv.test"]
    assert "2 unread notices in Demo BV" in message.subject
    assert "First news" in message.body and "Second news" in message.body
    assert "Body text" not in message.body  # titles and links only
    # A second run the same day (another worker, the next hour) sends nothing again...
    tell(
        "member1@demo-bv.test",
        lambda: ("Later news", ""),
        capture=django_capture_on_commit_callbacks,
    )
    Notice.objects.filter(title="Later news").update(created_at=at(DIGEST_HOUR + 1))
    assert send_digests(at(DIGEST_HOUR + 2)) == 0
    assert send_digests(at(DIGEST_HOUR)) == 0  # the same hour again: its row is there
    assert len(mail.outbox) == 1
    run = NoticeDigestRun.objects.get(day=timezone.localdate(), hour=DIGEST_HOUR)
    assert run.sent == 1
    # ...and the next day's digest holds only what came since the last one.
    assert send_digests(at(DIGEST_HOUR, days=1)) == 1
    assert "Later news" in mail.outbox[1].body and "First news" not in mail.outbox[1].body


def test_the_digest_is_a_scheduled_job_of_the_worker(demo):
    job = next(j for j in schedule.jobs() if j.name == "company.notice-digest")
    assert job.task == "kluis.company.notices_delivery.send_daily_digest"
    assert job.every_seconds == 3600
    assert isinstance(send_daily_digest.call(), int)


def test_security_notices_reach_the_inbox_of_every_company(demo):
    from kluis.company.notices_security import new_device_seen

    consultant = User.objects.get(email="consultant@kluis.test")
    new_device_seen(
        consultant, "127.0.0.9", "Mozilla/5.0 (X11; Linux) Firefox/133.0", timezone.now()
    )
    told = Notice.objects.filter(topic="security.new_device", membership__user=consultant)
    assert told.count() == 2 and all("Firefox" in n.body for n in told)
    assert {n.tenant_id for n in told} == {demo["demo-bv"].pk, demo["other-nv"].pk}


def test_an_mfa_reset_is_in_the_member_s_inbox(demo):
    from kluis.company.services.mfa import reset_member_mfa
    from tests.identity.mfa_helpers import add_totp

    add_totp(User.objects.get(email="consultant@kluis.test"))
    target = member("consultant@kluis.test", "demo-bv")
    reset_member_mfa(actor_for("hr@demo-bv.test", "demo-bv"), target)
    [notice] = Notice.objects.filter(topic="security.mfa_reset")
    assert notice.membership_id == target.pk and notice.url == "/accounts/2fa/"
    assert "Demo BV" in notice.body and notice.delivery == Delivery.APP  # identity e-mails it


def test_a_webhook_turned_off_is_in_its_admins_inboxes(demo, mailoutbox):
    from kluis.integrations.webhooks.models import WebhookSubscription
    from kluis.integrations.webhooks.notices import tell_admins_turned_off
    from kluis.integrations.webhooks.services import create_subscription

    hook, _secret = create_subscription(
        actor_for("owner@demo-bv.test", "demo-bv"),
        demo["demo-bv"],
        {"url": "https://93.184.215.14/hook", "event_types": ["*"]},
    )
    WebhookSubscription.objects.filter(pk=hook.pk).update(enabled=False, disabled_reason="gone")
    tell_admins_turned_off.call(hook.pk)
    told = Notice.objects.filter(topic="webhooks.turned_off")
    owners = {n.membership.user.email for n in told}
    assert {"owner@demo-bv.test", "hr@demo-bv.test"} <= owners
    assert "member1@demo-bv.test" not in owners
    assert {n.url for n in told} == {reverse("integrations:webhook", args=[hook.pk])}
    assert {m.to[0] for m in mailoutbox} == owners  # e-mailed once each, by integrations
