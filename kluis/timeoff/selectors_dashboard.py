"""The dashboard's reads of the calendar: what waits for the reader's decision, who of the
reader's team (the company for HR) is away today and this week (names with "Away" or
"Absent" only, as the calendar's privacy rules say), and the reader's own coming leave.
A fixed number of queries, whatever the size of the company."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.permissions import actor_employee_id, scope_of
from kluis.timeoff.inbox import waiting_requests
from kluis.timeoff.models import LeaveRequest, Stage, Status
from kluis.timeoff.team_calendar import AwayNow, away_now

APPROVE = "timeoff.approve"
CALENDAR = "timeoff.view_calendar"
REQUEST = "timeoff.request"


@dataclass(frozen=True)
class Waiting:
    count: int
    first: list[LeaveRequest]  # the oldest few


def waiting(actor: Actor, shown: int = 3) -> Waiting | None:
    """The leave requests waiting for the reader's decision, as the approvals page lists
    them (`inbox.waiting_requests` narrowed as `may_decide` narrows it, in SQL: a count
    and the oldest few, two queries); None when the reader approves nothing."""
    scope = scope_of(actor, APPROVE)
    if scope is None:
        return None
    found = waiting_requests(actor)
    if scope == Scope.COMPANY and not actor.is_system:  # nobody approves twice
        found = found.exclude(stage=Stage.HR, first_approver=actor.label)
    return Waiting(found.count(), list(found[:shown]))


def away(actor: Actor, today: dt.date) -> AwayNow | None:
    """Who is away today and this week; None without `timeoff.view_calendar`."""
    if scope_of(actor, CALENDAR) is None:
        return None
    return away_now(actor, today)


def my_coming_leave(actor: Actor, today: dt.date) -> QuerySet[LeaveRequest] | None:
    """The reader's own leave from today on, asked for or approved (their calendar page
    lists the same); None for someone who does not request leave or has no file."""
    own = actor_employee_id(actor)
    if own is None or scope_of(actor, REQUEST) is None:
        return None
    return (
        LeaveRequest.objects.for_actor(actor)
        .filter(employee_id=own, end_date__gte=today, status__in=[Status.PENDING, Status.APPROVED])
        .select_related("leave_type")
        .order_by("start_date", "pk")
    )
