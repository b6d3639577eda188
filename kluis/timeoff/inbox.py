"""Reads for the approvals inbox: the requests waiting for the reader (never their own),
oldest first, each with its amount in the type's unit, the employee's balance once it is
taken, and how many others of the team are away then; and what waits for HR."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import ngettext

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, can_on, scope_of, scoped
from kluis.timeoff.models import (
    Absence,
    LeaveDay,
    LeaveRequest,
    ReasonVisibility,
    Stage,
    Status,
)
from kluis.timeoff.selectors import balances_of
from kluis.timeoff.services import may_decide

VIEW = "timeoff.view"
APPROVE = "timeoff.approve"


@dataclass
class Waiting:
    request: LeaveRequest
    balance_after: Decimal | None  # in the type's unit; None: not counted or not visible
    others_away: int
    amount: str = ""  # "2 days", "7.6 hours"
    after: str = ""
    reason: str = ""  # the employee's reason, when the leave type lets this reader see it


def waiting_requests(actor: Actor) -> QuerySet[LeaveRequest]:
    """Pending requests of the people the actor approves for (never their own), oldest
    first; `may_decide` narrows them to the ones at the actor's step."""
    reach = scoped(actor, APPROVE, Employee.objects.all())
    own = actor_employee_id(actor)
    found = (
        LeaveRequest.objects.for_actor(actor)
        .filter(status=Status.PENDING, employee__in=reach)
        .select_related("employee", "leave_type", "employee__tenant")
        .order_by("created_at", "pk")
    )
    if own is not None:
        found = found.exclude(employee_id=own)
    if scope_of(actor, APPROVE) != Scope.COMPANY:
        found = found.exclude(stage=Stage.HR)
    return found


def waiting_count(actor: Actor) -> int:
    if scope_of(actor, APPROVE) is None:
        return 0
    return sum(1 for r in waiting_requests(actor) if may_decide(actor, r))


def _team_of(employee: Employee) -> Q:
    if employee.team_id:
        return Q(team_id=employee.team_id)
    if employee.manager_id:
        return Q(manager_id=employee.manager_id) | Q(pk=employee.manager_id)
    return Q(manager_id=employee.pk)


def others_away(actor: Actor, request: LeaveRequest) -> int:
    """How many others of the employee's team are away (leave asked for or approved, or
    sick) during the request's period."""
    team = (
        Employee.objects.for_actor(actor)
        .filter(_team_of(request.employee))
        .exclude(pk=request.employee_id)
        .values("pk")
    )
    on_leave = set(
        LeaveDay.objects.for_actor(actor)
        .filter(
            employee_id__in=team,
            active=True,
            date__gte=request.start_date,
            date__lte=request.end_date,
        )
        .values_list("employee_id", flat=True)
        .distinct()
    )
    sick = set(
        Absence.objects.for_actor(actor)
        .filter(employee_id__in=team, start_date__lte=request.end_date)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=request.start_date))
        .values_list("employee_id", flat=True)
    )
    return len(on_leave | sick)


def describe(actor: Actor, request: LeaveRequest) -> Waiting:
    """A row of the inbox: the amount in the type's unit, the balance once this request is
    taken (when the type counts one and the reader may see it), and the team's absences."""
    after: Decimal | None = None
    amount, in_days = request.hours, False
    if can_on(actor, VIEW, request.employee):
        for row in balances_of(actor, request.employee, as_of=request.start_date):
            if row.leave_type.pk == request.leave_type_id:
                left = row.balance.remaining
                if request.status == Status.PENDING:
                    left -= request.hours
                after = row.shown(left)
                amount, in_days = row.shown(request.hours), row.in_days
    reason = ""
    if request.leave_type.reason_visible_to == ReasonVisibility.APPROVERS or (
        scope_of(actor, "timeoff.manage") == Scope.COMPANY
    ):
        reason = request.reason
    return Waiting(
        request=request,
        balance_after=after,
        others_away=others_away(actor, request),
        amount=quantity(amount, in_days),
        after="" if after is None else quantity(after, in_days),
        reason=reason,
    )


def quantity(value: Decimal, in_days: bool) -> str:
    """'1 day', '2.5 days', '7.6 hours' in the reader's language."""
    text = format(value.quantize(Decimal("0.01")), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    shown = number_format(Decimal(text))
    many = 1 if value == 1 else 2
    if in_days:
        return ngettext("%(n)s day", "%(n)s days", many) % {"n": shown}
    return ngettext("%(n)s hour", "%(n)s hours", many) % {"n": shown}


def waiting_for_hr(actor: Actor, limit: int = 50) -> list[LeaveRequest]:
    """Requests of the actor's team that a manager approved and HR has still to decide
    (a manager's view of the two-step types' second step)."""
    if scope_of(actor, APPROVE) in (None, Scope.COMPANY):
        return []
    reach = scoped(actor, APPROVE, Employee.objects.all())
    return list(
        LeaveRequest.objects.for_actor(actor)
        .filter(status=Status.PENDING, stage=Stage.HR, employee__in=reach)
        .select_related("employee", "leave_type")
        .order_by("created_at", "pk")[:limit]
    )


def inbox(actor: Actor, limit: int = 200) -> list[Waiting]:
    found = [r for r in waiting_requests(actor)[: limit * 2] if may_decide(actor, r)]
    return [describe(actor, r) for r in found[:limit]]
