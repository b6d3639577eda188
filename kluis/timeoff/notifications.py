"""Who is told what about a leave request or a sick period, in the app and by e-mail
(kluis.company.notices), each in their own language. Called inside the change's
transaction: a rolled-back change tells nobody."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.company.notices import notify, settle
from kluis.people.models import Employee
from kluis.tenancy.models import Membership
from kluis.timeoff.models import Absence, LeaveRequest, Stage

HR_PERMISSION = "timeoff.approve"


def hr_members(tenant_id: int, permission: str = HR_PERMISSION) -> list[Membership]:
    """Active members who hold `permission` for the whole company."""
    return list(
        Membership.objects.for_tenant(tenant_id)
        .filter(
            is_active=True,
            role_assignments__role__permissions__permission=permission,
            role_assignments__role__permissions__scope="company",
        )
        .select_related("user")
        .distinct()
    )


def _member_of(employee: Employee | None) -> list[Membership]:
    if employee is None or employee.membership_id is None:
        return []
    membership = Membership.objects.select_related("user").filter(pk=employee.membership_id)
    return list(membership)


def _period(request: LeaveRequest) -> str:
    first = date_format(request.start_date, "DATE_FORMAT")
    if request.end_date == request.start_date:
        return first
    return f"{first} \u2013 {date_format(request.end_date, 'DATE_FORMAT')}"


def approvers(request: LeaveRequest, stage: str | None = None) -> list[Membership]:
    """Whose turn it is (at `stage`, by default the request's): the employee's manager at
    the manager's step (HR when there is none), HR at HR's step. Never the employee
    themself."""
    employee = request.employee
    stage = request.stage if stage is None else stage
    if stage == Stage.MANAGER and employee.manager_id is not None:
        found = _member_of(employee.manager)
    else:
        found = hr_members(request.tenant_id)
    return [m for m in found if m.pk != employee.membership_id]


WAITING = "leave_request.waiting"


def settle_waiting(request: LeaveRequest, *, url: str) -> int:
    """The request no longer waits for those it was put before (decided, withdrawn, changed
    or moved on to HR): their "waits for your approval" notices are marked read, in every
    approver's inbox. The employee's own notices are other kinds and stay as they are."""
    return settle(request.tenant_id, topic=WAITING, url=url)


def request_waits(request: LeaveRequest, *, url: str) -> None:
    employee = request.employee

    def compose() -> tuple[str, str]:
        title = _("%(name)s asks for leave: %(period)s") % {
            "name": employee.display_name,
            "period": _period(request),
        }
        body = _("%(type)s, %(hours)s hours. It waits for your approval.") % {
            "type": request.leave_type.name,
            "hours": request.hours,
        }
        return title, body

    notify(approvers(request), topic=WAITING, compose=compose, url=url)


def request_decided(request: LeaveRequest, *, url: str) -> None:
    """Tell the employee the outcome (after the last approver only)."""

    def compose() -> tuple[str, str]:
        values = {"type": request.leave_type.name, "period": _period(request)}
        if request.status == "approved":
            title = _("Your leave was approved: %(type)s, %(period)s") % values
        elif request.status == "rejected":
            title = _("Your leave was rejected: %(type)s, %(period)s") % values
        else:
            title = _("Your leave was cancelled: %(type)s, %(period)s") % values
        body = request.decision_comment or ""
        return title, body

    notify(
        _member_of(request.employee),
        topic=f"leave_request.{request.status}",
        compose=compose,
        url=url,
    )


def request_withdrawn(
    request: LeaveRequest, *, url: str, was_approved: bool, stage: str = ""
) -> None:
    """The employee cancelled: tell whoever it waited for (at `stage`, the step it was at
    before it was cancelled), or the manager of approved leave."""
    employee = request.employee
    told = approvers(request, stage) if not was_approved else _member_of(employee.manager)

    def compose() -> tuple[str, str]:
        title = _("%(name)s cancelled their leave: %(period)s") % {
            "name": employee.display_name,
            "period": _period(request),
        }
        return title, request.leave_type.name

    notify(told, topic="leave_request.cancelled", compose=compose, url=url)


def absence_registered(absence: Absence, *, url: str, started: bool) -> None:
    """Tell the manager that someone is absent (never why) and HR (who may look)."""
    employee = absence.employee
    told = _member_of(employee.manager) + hr_members(absence.tenant_id, "timeoff.view_sickness")
    told = [m for m in told if m.pk != employee.membership_id]

    def compose() -> tuple[str, str]:
        if started:
            title = _("%(name)s is absent from %(date)s") % {
                "name": employee.display_name,
                "date": date_format(absence.start_date, "DATE_FORMAT"),
            }
        else:
            title = _("%(name)s is back: absence ended on %(date)s") % {
                "name": employee.display_name,
                "date": date_format(absence.end_date or absence.start_date, "DATE_FORMAT"),
            }
        return title, ""

    notify(told, topic="absence.started" if started else "absence.ended", compose=compose, url=url)
