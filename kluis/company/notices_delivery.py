"""E-mailing notices, by the background worker only (never in a request).

- At once: `notify()` queues `send_notices` when the change commits; each notice is sent
  once (its `emailed_at` is set in the transaction that sends it, so a retried task skips
  it).
- The daily digest: a scheduled job (hourly, kluis.operations.schedule) that sends each
  member, at the local hour they chose (07:00 unless they chose another,
  `NoticeDigestSchedule`), one e-mail listing their unread digest notices not yet e-mailed.
  The first run of an hour inserts that day's and hour's `NoticeDigestRun` row (and the
  rows of the day's earlier hours nobody ran, say while the workers were down, so those
  members get theirs late rather than not at all); every other worker, and a second run
  that hour, finds the row and sends nothing. Each member's day is claimed in their
  schedule row (`last_sent_on`) in the transaction that sends: one digest a day at most,
  also for someone who moves their hour after today's went.

E-mails are written in the member's language and carry the notice's title and link; the
text only for kinds that allow it (`email_body`), and never more than the notice holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.company.models import (
    DEFAULT_DIGEST_HOUR,
    Delivery,
    Notice,
    NoticeDigestRun,
    NoticeDigestSchedule,
)
from kluis.company.notices_kinds import get_kind, is_kind
from kluis.identity.languages import speaking_to
from kluis.operations.mailing import on_behalf_of

DIGEST_HOUR = DEFAULT_DIGEST_HOUR  # 07:00 in settings.TIME_ZONE unless a member chose


def _link(path: str) -> str:
    base = (settings.PUBLIC_URL or "").rstrip("/")
    return f"{base}{path}" if path else ""


def _footer() -> str:
    return _("Choose how you hear of each kind of notice: %(link)s") % {
        "link": _link(reverse("web:notice_preferences"))
    }


def compose_email(notice: Notice) -> tuple[str, str]:
    """(subject, body) of one notice's e-mail, in the language active when called."""
    kind = get_kind(notice.topic)
    parts = []
    if kind.email_body and notice.body:
        parts.append(notice.body)
    else:
        parts.append(_("Open Kluis to read it."))
    if notice.url:
        parts.append(_link(notice.url))
    parts.append("-- \n" + _footer())
    return kind.subject(notice), "\n\n".join(parts)


@task()
def send_notices(notice_ids: list[int]) -> int:
    """E-mail each notice to its member (once); how many were sent."""
    sent = 0
    for pk in notice_ids:
        with transaction.atomic():
            notice = (
                Notice.objects.select_for_update(of=("self",))
                .filter(pk=pk, emailed_at=None, membership__is_active=True)
                .select_related("membership__user")
                .first()
            )
            if notice is None or not is_kind(notice.topic):
                continue
            user = notice.membership.user
            with speaking_to(user):
                subject, body = compose_email(notice)
            notice.emailed_at = timezone.now()
            notice.save(update_fields=["emailed_at"])
            with on_behalf_of(notice.tenant_id):
                sent += send_mail(subject, body, None, [user.email])
    return sent


@task()
def send_daily_digest() -> int:
    """The scheduled job, hourly: the digests of this hour, once (see `send_digests`)."""
    return send_digests()


def _waiting() -> QuerySet[Notice]:
    return Notice.objects.filter(
        delivery=Delivery.DIGEST,
        emailed_at=None,
        read_at=None,
        membership__is_active=True,
        membership__user__is_active=True,
    )


def _claim_hours(day: dt.date, hour: int, now: dt.datetime) -> list[int]:
    """The hours of `day` up to `hour` this run is the first to send (a row each)."""
    done = set(NoticeDigestRun.objects.filter(day=day).values_list("hour", flat=True))
    claimed = []
    for earlier in range(hour + 1):
        if earlier in done:
            continue
        try:
            with transaction.atomic():
                NoticeDigestRun.objects.create(day=day, hour=earlier, started_at=now)
        except IntegrityError:
            continue  # another worker runs it
        claimed.append(earlier)
    return claimed


def send_digests(now: dt.datetime | None = None) -> int:
    """Send the digests of the members whose hour it is (local time), unless another run
    did; how many e-mails."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    hours = _claim_hours(local.date(), local.hour, now)
    if not hours:
        return 0
    members = (
        _waiting()
        .filter(created_at__lte=now)
        .annotate(
            digest_hour=Coalesce("membership__notice_digest__hour", Value(DEFAULT_DIGEST_HOUR))
        )
        .filter(digest_hour__in=hours)
        .values_list("membership_id", flat=True)
    )
    sent = sum(_send_digest_of(member, now, local.date()) for member in sorted(set(members)))
    NoticeDigestRun.objects.filter(day=local.date(), hour=hours[-1]).update(sent=sent)
    return sent


def _claim_day(membership: Any, day: dt.date) -> bool:
    """Mark today's digest of this member as sent, unless it was: one conditional update
    (a concurrent sender waits for the row and then finds the day taken)."""
    schedule, _created = NoticeDigestSchedule.objects.get_or_create(
        membership=membership, defaults={"tenant_id": membership.tenant_id}
    )
    return bool(
        NoticeDigestSchedule.objects.filter(pk=schedule.pk)
        .filter(Q(last_sent_on=None) | Q(last_sent_on__lt=day))
        .update(last_sent_on=day)
    )


def _send_digest_of(membership_id: int, now: dt.datetime, day: dt.date) -> int:
    with transaction.atomic():
        rows = list(
            _waiting()
            .select_for_update(of=("self",))
            .filter(membership_id=membership_id, created_at__lte=now)
            .select_related("membership__user", "membership__tenant")
            .order_by("created_at", "pk")
        )
        if not rows:
            return 0
        membership = rows[0].membership
        if not _claim_day(membership, day):
            return 0  # today's went already (the member moved their hour since)
        with speaking_to(membership.user):
            subject = ngettext(
                "Kluis: %(count)d unread notice in %(company)s",
                "Kluis: %(count)d unread notices in %(company)s",
                len(rows),
            ) % {"count": len(rows), "company": membership.tenant.name}
            lines = [_("Since the last digest:"), ""]
            for notice in rows:
                lines.append(f"- {notice.title}")
                if notice.url:
                    lines.append(f"  {_link(notice.url)}")
            lines += ["", _("Your inbox: %(link)s") % {"link": _link(reverse("web:notices"))}]
            body = "\n".join(lines) + "\n\n-- \n" + _footer()
        Notice.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)
        with on_behalf_of(membership.tenant_id):
            return send_mail(subject, body, None, [membership.user.email])
