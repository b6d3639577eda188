"""Private iCalendar feeds: one secret URL per member, for Outlook, Google Calendar or any
calendar app, showing exactly what that member may see of the calendar.

The token (`secrets.token_urlsafe(32)`, 256 bits) is shown once; only its keyed digest is
stored (HMAC-SHA256 with the pepper API keys use, kluis.integrations.keys), so a copy of
the database holds no usable feed URL. A member has at most one live feed: making a new one
revokes the earlier. A revoked feed, a deactivated member or company answers 404.

What a feed shows, as its member (their grants, at the time of each fetch):
- their own leave (type and status: approved or pending) and their own sick periods;
- others' approved leave as "<name> - away" (`timeoff.view_calendar`), with the leave
  type only where the member holds `timeoff.view` over that person;
- others' sick periods ALWAYS as "<name> - absent": never a kind, a reason or a note,
  whatever the member's grants (a calendar app is no place for medical data);
- public holidays and the company's closing days;
from 3 months back to 12 months ahead, as all-day events with stable UIDs.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.permissions import Scope
from kluis.audit.services import record
from kluis.identity.languages import speaking_to
from kluis.integrations.keys import digest_of
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, scope_of, scoped
from kluis.timeoff import calendar
from kluis.timeoff.models import (
    Absence,
    AbsenceKind,
    CalendarFeed,
    ClosingDay,
    DayPart,
    LeaveRequest,
    Status,
)

SEE_AWAY = "timeoff.view_calendar"
SEE_LEAVE = "timeoff.view"
MONTHS_BACK = 3
MONTHS_AHEAD = 12
# How often last_used_at is written at most (calendar apps poll; a write per poll is waste).
TOUCH_EVERY = dt.timedelta(minutes=1)
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
_DIGEST_CONTEXT = "kluis.timeoff.feed:"


def digest(token: str) -> str:
    """The stored form of a token: keyed with the API keys' pepper, in its own context."""
    return digest_of(_DIGEST_CONTEXT + token)


def may_have_feed(actor: Actor) -> bool:
    """Members who see the calendar at all (who is away, or leave)."""
    return actor.membership is not None and (can(actor, SEE_AWAY) or can(actor, SEE_LEAVE))


def live_feed(actor: Actor) -> CalendarFeed | None:
    if actor.membership is None:
        return None
    return (
        CalendarFeed.objects.for_actor(actor)
        .filter(membership=actor.membership, revoked_at=None)
        .first()
    )


def _revoke_live(actor: Actor, now: dt.datetime) -> list[CalendarFeed]:
    live = list(
        CalendarFeed.objects.for_actor(actor)
        .select_for_update()
        .filter(membership=actor.membership, revoked_at=None)
    )
    for feed in live:
        feed.revoked_at = now
        feed.save(update_fields=["revoked_at"])
    return live


def create_feed(actor: Actor) -> str:
    """A new private feed URL token for the actor's own membership (any earlier one is
    revoked); the token is returned once and never stored."""
    if not may_have_feed(actor):
        raise PermissionDenied(_("You do not have permission to do this."))
    assert actor.membership is not None and actor.tenant is not None
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        replaced = _revoke_live(actor, now)
        feed = CalendarFeed.objects.create(
            tenant=actor.tenant,
            membership=actor.membership,
            digest=digest(token),
            hint=token[-4:],
        )
        record(
            actor,
            "calendar_feed.created",
            tenant=actor.tenant,
            target=feed,
            changes={
                "membership": {"old": None, "new": actor.membership.pk},
                "replaced": {"old": None, "new": [f.pk for f in replaced]},
            },
        )
    return token


def revoke_feed(actor: Actor) -> bool:
    """Revoke the actor's own live feed; False when there was none."""
    if actor.membership is None or actor.tenant is None:
        raise PermissionDenied(_("You do not have permission to do this."))
    with transaction.atomic():
        revoked = _revoke_live(actor, timezone.now())
        for feed in revoked:
            record(
                actor,
                "calendar_feed.revoked",
                tenant=actor.tenant,
                target=feed,
                changes={"revoked_at": {"old": None, "new": str(feed.revoked_at)}},
            )
    return bool(revoked)


def find(token: str) -> CalendarFeed | None:
    """The live feed a token opens, or None (unknown, revoked, its member or company
    deactivated). The caller looks it up across companies (the token names the company)."""
    if not _TOKEN_SHAPE.fullmatch(token or ""):
        return None
    feed = (
        CalendarFeed.objects.select_related("membership__user", "membership__tenant", "tenant")
        .filter(digest=digest(token), revoked_at=None)
        .first()
    )
    if feed is None:
        return None
    membership = feed.membership
    if (
        not membership.is_active
        or not membership.user.is_active
        or not feed.tenant.is_active
        or membership.tenant_id != feed.tenant_id
    ):
        return None
    return feed


def touch(feed: CalendarFeed) -> None:
    """Note the feed was used, at most once a minute."""
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now


# --- the calendar ---------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """From the first of the month 3 months back to the last day 12 months ahead."""
    today = today or timezone.localdate()
    first = _add_months(today, -MONTHS_BACK)
    last = _add_months(today, MONTHS_AHEAD + 1) - dt.timedelta(days=1)
    return first, last


@dataclass(frozen=True)
class FeedEvent:
    uid: str
    summary: str
    start: dt.date
    end: dt.date  # inclusive
    category: str  # leave, absence, holiday, closing


def _reach(actor: Actor, permission: str) -> set[int] | None:
    """The employees `permission` reaches: None for the whole company."""
    if scope_of(actor, permission) == Scope.COMPANY:
        return None
    return set(scoped(actor, permission, Employee.objects.all()).values_list("pk", flat=True))


def _within(reach: set[int] | None, employee_id: int) -> bool:
    return reach is None or employee_id in reach


def _part_label(request: LeaveRequest) -> str:
    if request.start_date != request.end_date:
        return ""
    if request.start_part == DayPart.AFTERNOON:
        return " (" + _("afternoon") + ")"
    if request.end_part == DayPart.MORNING:
        return " (" + _("morning") + ")"
    return ""


def events_for(actor: Actor, first: dt.date, last: dt.date) -> list[FeedEvent]:
    """What the actor may see between two days, as calendar events."""
    assert actor.tenant is not None
    tenant = actor.tenant
    slug = tenant.slug
    own = actor_employee_id(actor)
    away = _reach(actor, SEE_AWAY) if can(actor, SEE_AWAY) else set()
    typed = _reach(actor, SEE_LEAVE) if can(actor, SEE_LEAVE) else set()
    events: list[FeedEvent] = []
    seen: set[int] | None = None if away is None else away | ({own} if own else set())

    requests = (
        LeaveRequest.objects.for_tenant(tenant)
        .filter(start_date__lte=last, end_date__gte=first)
        .filter(Q(status=Status.APPROVED) | Q(employee_id=own, status=Status.PENDING))
        .select_related("leave_type", "employee")
        .order_by("start_date", "pk")
    )
    if seen is not None:
        requests = requests.filter(employee_id__in=seen)
    for request in requests:
        employee = request.employee
        if request.employee_id == own:
            summary = request.leave_type.name + _part_label(request)
            if request.status == Status.PENDING:
                summary += " (" + _("pending") + ")"
        elif _within(typed, request.employee_id):
            summary = f"{employee.display_name} - {request.leave_type.name}"
            summary += _part_label(request)
        else:
            summary = _("%(name)s - away") % {"name": employee.display_name}
        events.append(
            FeedEvent(
                f"leave-{request.pk}@{slug}.kluis",
                summary,
                max(request.start_date, first),
                min(request.end_date, last),
                "leave",
            )
        )

    today = timezone.localdate()
    absences = (
        Absence.objects.for_tenant(tenant)
        .filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("employee")
        .order_by("start_date", "pk")
    )
    if seen is not None:
        absences = absences.filter(employee_id__in=seen)
    for absence in absences:
        end = absence.end_date or max(today, absence.start_date)
        if absence.employee_id == own:
            summary = (
                _("Sick")
                if absence.kind == AbsenceKind.SICKNESS
                else str(AbsenceKind(absence.kind).label)
            )
        else:
            # Never the kind, reason or note of someone else's absence.
            summary = _("%(name)s - absent") % {"name": absence.employee.display_name}
        events.append(
            FeedEvent(
                f"absence-{absence.pk}@{slug}.kluis",
                summary,
                max(absence.start_date, first),
                min(end, last),
                "absence",
            )
        )

    for day, name in sorted(calendar.public_holidays(tenant, first, last).items()):
        events.append(
            FeedEvent(f"holiday-{day.isoformat()}@{slug}.kluis", name, day, day, "holiday")
        )
    closing = ClosingDay.objects.for_tenant(tenant).filter(date__gte=first, date__lte=last)
    for closing_day in closing:
        events.append(
            FeedEvent(
                f"closing-{closing_day.pk}@{slug}.kluis",
                _("%(name)s (company closed)") % {"name": closing_day.name},
                closing_day.date,
                closing_day.date,
                "closing",
            )
        )
    return events


def ics_of(feed: CalendarFeed, *, today: dt.date | None = None) -> bytes:
    """The feed's calendar, as its member may see it now, in the member's language."""
    membership = feed.membership
    actor = Actor.for_member(membership)
    first, last = window(today)
    stamp = timezone.now()
    with speaking_to(membership.user):
        events = events_for(actor, first, last)
        cal = Calendar()
        cal.add("prodid", "-//Kluis//Calendar feed//EN")
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        cal.add("x-wr-calname", _("%(company)s time off") % {"company": feed.tenant.name})
        cal.add("x-published-ttl", "PT1H")
        for item in events:
            event = Event()
            event.add("uid", item.uid)
            event.add("dtstamp", stamp)
            event.add("summary", item.summary)
            event.add("dtstart", item.start)
            event.add("dtend", item.end + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")
            event.add("categories", [item.category])
            cal.add_component(event)
    return cal.to_ical()
