"""Requesting, changing and cancelling leave (approving and rejecting: approvals.py).

A request takes the hours of the employee's own schedule on each day between its dates
(weekends, public holidays and closing days take none); it is refused, saying why, when
it overlaps other leave, touches a locked month, falls outside the employment, or goes
beyond the balance (unless the leave type allows a negative one)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.people.models import Employee
from kluis.people.permissions import authorize_on, is_self
from kluis.timeoff import calendar, dates, links, notifications
from kluis.timeoff.law.schedule import hours_between, hours_per_day, period_on
from kluis.timeoff.models import (
    Approval,
    DayPart,
    LeaveDay,
    LeaveRequest,
    LeaveType,
    Stage,
    Status,
    Unit,
)
from kluis.timeoff.services import ledger
from kluis.timeoff.services._kit import (
    ConflictError,
    announce,
    changes_of,
    check_unlocked,
    check_version,
    keep_version,
    same_company,
)

REQUEST = "timeoff.request"
LONGEST = 366  # days one request may span
FIELDS = ("leave_type", "start_date", "end_date", "start_part", "end_part", "hours", "reason")


def clean_request(employee: Employee, data: Mapping[str, Any]) -> dict[str, Any]:
    """A leave request's values for `employee`, checked and completed (the end date
    defaults to the start, the parts to full days); a ValidationError with every field's
    errors together. Used by request_leave, change_request and the form's preview."""
    errors: dict[str, list[str]] = {}
    leave_type = data.get("leave_type")
    if not isinstance(leave_type, LeaveType) or leave_type.tenant_id != employee.tenant_id:
        errors["leave_type"] = [_("Choose a leave type from the list.")]
    elif not leave_type.is_active:
        errors["leave_type"] = [_("This leave type is no longer in use.")]
    start, end = data.get("start_date"), data.get("end_date") or data.get("start_date")
    if not isinstance(start, dt.date):
        errors["start_date"] = [_("Enter a valid date.")]
    if not isinstance(end, dt.date):
        errors["end_date"] = [_("Enter a valid date.")]
    if isinstance(start, dt.date) and isinstance(end, dt.date):
        if end < start:
            errors["end_date"] = [_("The last day cannot be before the first day.")]
        elif (end - start).days >= LONGEST:
            errors["end_date"] = [_("One request spans at most a year; make two.")]
        dates.check_range(errors, start, end)
    start_part = data.get("start_part") or DayPart.FULL
    end_part = data.get("end_part") or DayPart.FULL
    if start_part not in (DayPart.FULL, DayPart.AFTERNOON):
        errors["start_part"] = [_("The first day is a full day or starts in the afternoon.")]
    if end_part not in (DayPart.FULL, DayPart.MORNING):
        errors["end_part"] = [_("The last day is a full day or ends at noon.")]
    if start == end and start_part == DayPart.AFTERNOON and end_part == DayPart.MORNING:
        errors["end_part"] = [_("For half a day, choose either the morning or the afternoon.")]
    hours = data.get("hours")
    if hours in ("", None):
        hours = None
    else:
        try:
            hours = Decimal(str(hours))
        except InvalidOperation:
            errors["hours"] = [_("Enter a number of hours.")]
            hours = None
        if hours is not None and not Decimal("0.25") <= hours <= Decimal("24"):
            errors["hours"] = [_("Enter between 0.25 and 24 hours.")]
        elif hours is not None and start != end:
            errors["hours"] = [_("Hours can be given for a single day only.")]
        elif (
            hours is not None
            and isinstance(leave_type, LeaveType)
            and leave_type.unit != Unit.HOURS
        ):
            errors["hours"] = [_("This leave type is taken in (half) days, not hours.")]
    reason = str(data.get("reason") or "").strip()
    if len(reason) > 2000:
        errors["reason"] = [_("Keep the reason under 2,000 characters.")]
    if errors:
        raise ValidationError(errors)
    return {
        "leave_type": leave_type,
        "start_date": start,
        "end_date": end,
        "start_part": start_part,
        "end_part": end_part,
        "hours": hours,
        "reason": reason,
    }


def request_days(employee: Employee, clean: dict[str, Any]) -> dict[dt.date, tuple[Decimal, str]]:
    """The hours a cleaned request (clean_request) takes per day, with the day's part:
    {date: (hours, part)}, from the employee's schedule, public holidays and closing days;
    a ValidationError outside the employment or when no day is a working day."""
    start, end = clean["start_date"], clean["end_date"]
    periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
    day = start
    while day <= end:
        if period_on(day, periods) is None:
            raise ValidationError(
                {
                    "start_date": [
                        _("%(name)s is not employed on %(date)s.")
                        % {
                            "name": employee.display_name,
                            "date": date_format(day, "DATE_FORMAT"),
                        }
                    ]
                }
            )
        day += dt.timedelta(days=1)
    off = calendar.days_off(employee.tenant_id, start, end)
    hours = hours_between(
        start, end, periods, off, first_part=clean["start_part"], last_part=clean["end_part"]
    )
    if not hours:
        raise ValidationError(
            {
                "start_date": [
                    _("No working day in this period (weekend, public holiday or closing day).")
                ]
            }
        )
    if clean["hours"] is not None:
        scheduled = hours[start]
        if clean["hours"] > scheduled:
            raise ValidationError(
                {"hours": [_("You work %(hours)s hours that day.") % {"hours": scheduled}]}
            )
        hours = {start: clean["hours"]}

    def part(day: dt.date) -> str:
        if day == start and clean["start_part"] == DayPart.AFTERNOON:
            return DayPart.AFTERNOON
        if day == end and clean["end_part"] == DayPart.MORNING:
            return DayPart.MORNING
        return DayPart.FULL

    return {day: (value, part(day)) for day, value in hours.items()}


def check_overlap(
    employee: Employee, days: dict[dt.date, tuple[Decimal, str]], besides: int | None
) -> None:
    """A ValidationError when one of `days` (request_days) clashes with the employee's
    leave already asked or booked (a full day, or the same half), besides the request
    with id `besides` (the one being changed)."""
    taken = LeaveDay.objects.for_tenant(employee.tenant_id).filter(
        employee_id=employee.pk, active=True, date__in=list(days)
    )
    if besides is not None:
        taken = taken.exclude(request_id=besides)
    for day, part, start, end in taken.values_list(
        "date", "part", "request__start_date", "request__end_date"
    ):
        mine = days[day][1]
        if DayPart.FULL in (part, mine) or part == mine:
            raise ValidationError(
                {
                    "start_date": [
                        _("This overlaps other leave from %(start)s to %(end)s.")
                        % {
                            "start": date_format(start, "DATE_FORMAT"),
                            "end": date_format(end, "DATE_FORMAT"),
                        }
                    ]
                }
            )


def in_days(hours: Decimal, employee: Employee, on: dt.date) -> Decimal:
    periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
    period = period_on(on, periods) or (periods[-1] if periods else None)
    per_day = hours_per_day(period) if period is not None else Decimal(8)
    return (hours / per_day).quantize(Decimal("0.01")) if per_day else hours


def check_balance(
    employee: Employee,
    leave_type: LeaveType,
    hours: Decimal,
    *,
    besides: int | None = None,
    with_pending: bool = True,
) -> None:
    """Refused when the request goes beyond what is left: when asking, the other requests
    still waiting count too (nobody asks twice for the same last day); when approving,
    only what is already approved does (the first approved gets the day)."""
    if not leave_type.counts_balance or leave_type.allow_negative:
        return
    left = ledger.remaining(employee.tenant_id, employee.pk, leave_type.pk)
    if with_pending:
        left -= ledger.pending(employee.tenant_id, employee.pk, leave_type.pk, besides=besides)
    if hours > left:
        if leave_type.unit == Unit.DAYS:
            today = dt.date.today()
            values = {
                "left": in_days(max(left, Decimal(0)), employee, today),
                "asked": in_days(hours, employee, today),
            }
            message = _("Beyond your balance: %(left)s days left, this takes %(asked)s.") % values
        else:
            values = {"left": max(left, Decimal(0)), "asked": hours}
            message = _("Beyond your balance: %(left)s hours left, this takes %(asked)s.") % values
        raise ValidationError({"leave_type": [message]})


def _write_days(request: LeaveRequest, days: dict[dt.date, tuple[Decimal, str]]) -> None:
    LeaveDay.objects.filter(request=request).delete()
    LeaveDay.objects.bulk_create(
        LeaveDay(
            tenant_id=request.tenant_id,
            request=request,
            employee_id=request.employee_id,
            date=day,
            hours=hours,
            part=part,
            active=True,
        )
        for day, (hours, part) in sorted(days.items())
    )


def first_stage(leave_type: LeaveType) -> str:
    if leave_type.approval == Approval.NONE:
        return Stage.NONE
    return Stage.MANAGER


def values_of(request: LeaveRequest) -> dict[str, Any]:
    return {
        "leave_type": request.leave_type_id,
        "start_date": request.start_date,
        "end_date": request.end_date,
        "start_part": request.start_part,
        "end_part": request.end_part,
        "hours": request.hours,
        "reason": request.reason,
    }


def request_leave(actor: Actor, employee: Employee, data: Mapping[str, Any]) -> LeaveRequest:
    """Ask for leave for `employee` (oneself, or anyone the actor may request for)."""
    same_company(actor, employee.tenant_id)
    authorize_on(actor, REQUEST, employee)
    clean = clean_request(employee, data)
    check_unlocked(employee.tenant_id, clean["start_date"], clean["end_date"], "start_date")
    with transaction.atomic():
        # One employee's requests one at a time: two at once cannot both take the last day.
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        days = request_days(employee, clean)
        check_overlap(employee, days, None)
        total = sum((hours for hours, _part in days.values()), Decimal(0))
        leave_type: LeaveType = clean["leave_type"]
        check_balance(employee, leave_type, total)
        stage = first_stage(leave_type)
        request = LeaveRequest.objects.create(
            tenant_id=employee.tenant_id,
            employee=employee,
            leave_type=leave_type,
            start_date=clean["start_date"],
            end_date=clean["end_date"],
            start_part=clean["start_part"],
            end_part=clean["end_part"],
            requested_hours=clean["hours"],
            hours=total,
            reason=clean["reason"],
            status=Status.APPROVED if stage == Stage.NONE else Status.PENDING,
            stage=stage,
            requested_by=actor.label[:254],
        )
        _write_days(request, days)
        new = values_of(request)
        keep_version(request, actor, "requested", new=new)
        record(
            actor,
            "leave_request.created",
            tenant=employee.tenant,
            target=request,
            changes=changes_of({}, {k: v for k, v in new.items() if k != "reason"}),
        )
        announce("leave_request.created", request)
        if request.status == Status.APPROVED:
            ledger.record_use(actor, request)
            announce("leave_request.approved", request)
        else:
            notifications.request_waits(request, url=links.request_page(request.pk))
    return request


def change_request(
    actor: Actor,
    request: LeaveRequest,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> LeaveRequest:
    """Change a request still waiting for approval; it starts its approval again."""
    same_company(actor, request.tenant_id)
    employee = request.employee
    authorize_on(actor, REQUEST, employee)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        locked = LeaveRequest.objects.select_for_update().get(pk=request.pk)
        check_version(locked, expected_version)
        if locked.status != Status.PENDING:
            raise ConflictError(_("Only a request that waits for approval can be changed."))
        old = values_of(locked)
        merged = {**old, "leave_type": locked.leave_type, **changes}
        if "hours" not in changes and merged.get("hours") == locked.hours:
            merged["hours"] = locked.requested_hours
        clean = clean_request(employee, merged)
        check_unlocked(
            locked.tenant_id,
            min(clean["start_date"], locked.start_date),
            max(clean["end_date"], locked.end_date),
            "start_date",
        )
        days = request_days(employee, clean)
        check_overlap(employee, days, locked.pk)
        total = sum((hours for hours, _part in days.values()), Decimal(0))
        check_balance(employee, clean["leave_type"], total, besides=locked.pk)
        for name in ("leave_type", "start_date", "end_date", "start_part", "end_part", "reason"):
            setattr(locked, name, clean[name])
        locked.requested_hours = clean["hours"]
        locked.hours = total
        locked.stage = first_stage(clean["leave_type"])
        locked.first_approver = ""
        locked.version += 1
        locked.save()
        _write_days(locked, days)
        new = values_of(locked)
        changed = {k: v for k, v in new.items() if old.get(k) != v}
        keep_version(locked, actor, "changed", old={k: old[k] for k in changed}, new=changed)
        record(
            actor,
            "leave_request.updated",
            tenant=employee.tenant,
            target=locked,
            changes=changes_of(old, {k: v for k, v in changed.items() if k != "reason"}),
        )
        announce("leave_request.updated", locked, sorted(changed))
        url = links.request_page(locked.pk)
        notifications.settle_waiting(locked, url=url)
        notifications.request_waits(locked, url=url)
    return locked


def cancel_request(
    actor: Actor, request: LeaveRequest, *, reason: str = "", expected_version: int | None = None
) -> LeaveRequest:
    """Withdraw a pending request, or cancel approved leave: the employee before it starts,
    HR (timeoff.manage) also later; never inside a locked month. Taken hours return."""
    same_company(actor, request.tenant_id)
    employee = request.employee
    authorize_on(actor, REQUEST, employee)
    from kluis.access.authorization import can

    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        locked = LeaveRequest.objects.select_for_update().get(pk=request.pk)
        check_version(locked, expected_version)
        if locked.status not in (Status.PENDING, Status.APPROVED):
            raise ConflictError(
                _("This request is already %(status)s.")
                % {"status": locked.get_status_display().lower()}
            )
        was_approved = locked.status == Status.APPROVED
        if was_approved:
            check_unlocked(locked.tenant_id, locked.start_date, locked.end_date)
            started = locked.start_date <= dt.date.today()
            if started and not can(actor, "timeoff.manage"):
                raise ConflictError(_("This leave has started; ask HR to cancel it."))
        old = {"status": locked.status}
        waited_at = locked.stage  # whose turn it was: they hear of the withdrawal
        locked.status = Status.CANCELLED
        locked.stage = Stage.NONE
        locked.decision_comment = str(reason or "").strip()[:2000]
        locked.version += 1
        locked.save()
        LeaveDay.objects.filter(request=locked).update(active=False)
        if was_approved:
            ledger.record_cancellation(actor, locked, note=locked.decision_comment)
        keep_version(
            locked,
            actor,
            "cancelled",
            old=old,
            new={"status": locked.status},
            comment=locked.decision_comment,
        )
        record(
            actor,
            "leave_request.cancelled",
            tenant=employee.tenant,
            target=locked,
            changes=changes_of(old, {"status": locked.status}),
        )
        announce("leave_request.cancelled", locked)
        url = links.request_page(locked.pk)
        notifications.settle_waiting(locked, url=url)
        if is_self(actor, employee):
            notifications.request_withdrawn(
                locked, url=url, was_approved=was_approved, stage=waited_at
            )
        else:
            notifications.request_decided(locked, url=url)
    return locked
