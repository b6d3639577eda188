"""My calendar: my month (weekends, public holidays, closing days, my leave and sick days),
my balances and my requests; one balance explained line by line. Views parse input and
read through the calendar's selectors (requests: self_requests.py)."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, can_on
from kluis.timeoff import calendar, selectors
from kluis.timeoff.law.schedule import WorkPeriod, hours_per_day, period_on
from kluis.timeoff.models import (
    Absence,
    AbsenceKind,
    ClosingDay,
    DayPart,
    LeaveDay,
    LeaveRequest,
    LeaveType,
    Status,
    Unit,
)

COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
PAST_SHOWN = 20  # past requests listed under my calendar


def actor_of(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def own_employee(actor: Actor) -> Employee | None:
    """The signed-in person's own file in the current company, if HR has made one."""
    pk = actor_employee_id(actor)
    if pk is None:
        return None
    found: Employee | None = (
        Employee.objects.for_actor(actor).select_related("tenant").filter(pk=pk).first()
    )
    return found


def no_file(request: HttpRequest) -> HttpResponse:
    return render(request, "timeoff/self/no_file.html")


def url_or_none(name: str, *args: Any) -> str | None:
    """The URL of a page another part of the calendar provides (None until it exists)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def type_colours(actor: Actor) -> list[tuple[int, str]]:
    """Each leave type's colour, for the page's nonce'd style (a bad value gets the default)."""
    return [
        (pk, colour if COLOUR.match(colour or "") else "#2563eb")
        for pk, colour in LeaveType.objects.for_actor(actor).values_list("pk", "colour")
    ]


def parse_month(value: str | None, today: dt.date) -> dt.date:
    match = re.fullmatch(r"(\d{4})-(\d{2})", value or "")
    if match:
        year, month = int(match.group(1)), int(match.group(2))
        if 1900 <= year <= 2999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    return today.replace(day=1)


def shift_month(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass
class Day:
    date: dt.date
    in_month: bool
    today: bool
    weekend: bool
    holiday: str = ""
    closing: str = ""
    leave: list[dict[str, Any]] = field(default_factory=list)
    sick: str = ""

    @cached_property
    def iso(self) -> str:
        return self.date.isoformat()

    @cached_property
    def spoken(self) -> str:
        """The day in words ("Monday 7 December"), made once: a month's grid names each
        day twice, and the template filter costs more than the rest of the cell."""
        return date_format(self.date, "l j F")

    @property
    def marks(self) -> list[str]:
        """What the day holds, in words (the cell's accessible name)."""
        words = [str(label) for label in (self.holiday, self.closing) if label]
        words += [f"{item['name']} ({item['status_label']})" for item in self.leave]
        if self.sick:
            words.append(self.sick)
        if self.weekend and not words:
            words.append(_("Weekend"))
        return words

    @cached_property
    def label(self) -> str:
        """The cell's accessible name: the day in words and what it holds. A day showing
        tags starts with what the cell shows (its number and the tags), so a person who
        speaks to their computer can name the cell by what they see (WCAG 2.5.3)."""
        words = ", ".join([self.spoken, *self.marks])
        shown = [str(label) for label in (self.holiday, self.closing) if label]
        shown += [str(item["name"]) for item in self.leave]
        if self.sick:
            shown.append(str(self.sick))
        return f"{self.date.day} {' '.join(shown)}: {words}" if shown else words

    @cached_property
    def css(self) -> str:
        """The cell's classes (made once in Python: four template conditions per cell
        cost more than the cell's content)."""
        names = []
        if not self.in_month:
            names.append("kluis-cal-other")
        if self.weekend:
            names.append("kluis-cal-weekend")
        if self.holiday or self.closing:
            names.append("kluis-cal-holiday")
        if self.today:
            names.append("kluis-cal-today")
        return " ".join(names)


def month_days(
    actor: Actor, me: Employee, first: dt.date, *, sick_details: bool = True
) -> tuple[list[list[Day]], list[Day]]:
    """The month's weeks (Monday first) and the month's days that hold something, of my
    calendar or another employee's (`me`; without `sick_details` a sick period reads
    "Absent", never its kind)."""
    last = first.replace(day=month_calendar.monthrange(first.year, first.month)[1])
    grid_start = first - dt.timedelta(days=first.weekday())
    grid_end = last + dt.timedelta(days=6 - last.weekday())
    today = timezone.localdate()
    holidays = calendar.public_holidays(me.tenant_id, grid_start, grid_end)
    closing = dict(
        ClosingDay.objects.for_actor(actor)
        .filter(date__gte=grid_start, date__lte=grid_end)
        .values_list("date", "name")
    )
    leave: dict[dt.date, list[dict[str, Any]]] = {}
    rows = (
        LeaveDay.objects.for_actor(actor)
        .filter(employee_id=me.pk, active=True, date__gte=grid_start, date__lte=grid_end)
        .select_related("request__leave_type")
    )
    statuses = dict(Status.choices)
    parts = dict(DayPart.choices)
    for row in rows:
        request = row.request
        leave.setdefault(row.date, []).append(
            {
                "request": request.pk,
                "name": request.leave_type.name,
                "type": request.leave_type_id,
                "status": request.status,
                "status_label": statuses.get(request.status, request.status),
                "part": row.part,
                "part_label": parts.get(row.part, "") if row.part != DayPart.FULL else "",
            }
        )
    sick: dict[dt.date, str] = {}
    absences = Absence.objects.for_actor(actor).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=grid_start),
        employee_id=me.pk,
        start_date__lte=grid_end,
    )
    kinds = dict(AbsenceKind.choices)
    for absence in absences:
        if not sick_details:
            label = _("Absent")
        elif absence.kind == AbsenceKind.SICKNESS:
            label = _("Sick")
        else:
            label = str(kinds[absence.kind])
        day = max(absence.start_date, grid_start)
        end = min(absence.end_date or grid_end, grid_end)
        while day <= end:
            sick[day] = str(label)
            day += dt.timedelta(days=1)
    weeks: list[list[Day]] = []
    day = grid_start
    while day <= grid_end:
        week = []
        for _weekday in range(7):
            week.append(
                Day(
                    date=day,
                    in_month=day.month == first.month,
                    today=day == today,
                    weekend=day.weekday() >= 5,
                    holiday=holidays.get(day, ""),
                    closing=closing.get(day, ""),
                    leave=leave.get(day, []),
                    sick=sick.get(day, ""),
                )
            )
            day += dt.timedelta(days=1)
        weeks.append(week)
    noted = [
        d
        for week in weeks
        for d in week
        if d.in_month and (d.holiday or d.closing or d.leave or d.sick)
    ]
    return weeks, noted


def balance_rows(
    actor: Actor, me: Employee, periods: list[WorkPeriod] | None = None
) -> list[dict[str, Any]]:
    rows = []
    for row in selectors.balances_of(actor, me, periods=periods):
        balance = row.balance
        rows.append(
            {
                "leave_type": row.leave_type,
                "in_days": row.in_days,
                "entitled": row.shown(balance.entitled),
                "taken": row.shown(balance.taken),
                "planned": row.shown(balance.planned),
                "pending": row.shown(row.pending),
                "remaining": row.shown(balance.remaining),
                "available": row.shown(balance.remaining - row.pending),
                "expiring": [(on, row.shown(hours)) for on, hours in balance.expiring],
            }
        )
    return rows


def with_amounts(
    employee: Employee, rows: list[LeaveRequest], periods: list[WorkPeriod] | None = None
) -> list[dict[str, Any]]:
    """Each request with what it takes in its type's unit (days of the employee's schedule
    on its first day, or hours)."""
    if periods is None:
        periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
    out = []
    for row in rows:
        amount = row.hours
        if row.leave_type.unit == Unit.DAYS:
            period = period_on(row.start_date, periods) or (periods[-1] if periods else None)
            per_day = hours_per_day(period) if period is not None else Decimal(8)
            amount = (row.hours / per_day).quantize(Decimal("0.01")) if per_day else row.hours
        out.append({"request": row, "amount": amount, "in_days": row.leave_type.unit == Unit.DAYS})
    return out


@member_required()
def my_calendar(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    me = own_employee(actor)
    if me is None:
        return no_file(request)
    today = timezone.localdate()
    first = parse_month(request.GET.get("month"), today)
    weeks, noted = month_days(actor, me, first)
    periods = calendar.work_periods(me.tenant_id, [me.pk])[me.pk]
    mine = LeaveRequest.objects.for_actor(actor).filter(employee_id=me.pk)
    upcoming = (
        mine.filter(end_date__gte=today)
        .exclude(status__in=[Status.CANCELLED, Status.REJECTED])
        .select_related("leave_type")
        .order_by("start_date", "pk")
    )
    past = (
        mine.filter(Q(end_date__lt=today) | Q(status__in=[Status.CANCELLED, Status.REJECTED]))
        .select_related("leave_type")
        .order_by("-start_date", "-pk")[:PAST_SHOWN]
    )
    context = {
        "employee": me,
        "month": first,
        "previous": shift_month(first, -1).strftime("%Y-%m"),
        "next": shift_month(first, 1).strftime("%Y-%m"),
        "this_month": today.replace(day=1) == first,
        "today": today,
        "weekdays": [day.date for day in weeks[0]],
        "weeks": weeks,
        "noted": noted,
        "balances": balance_rows(actor, me, periods),
        "upcoming": with_amounts(me, list(upcoming), periods),
        "past": with_amounts(me, list(past), periods),
        "colours": type_colours(actor),
        "may_request": can_on(actor, "timeoff.request", me),
        "report_sick_url": url_or_none("timeoff:report_sick")
        if can_on(actor, "timeoff.register_sickness", me)
        else None,
    }
    return render(request, "timeoff/self/my_calendar.html", context)


def lines_context(
    actor: Actor, employee: Employee, leave_type: LeaveType, as_of: dt.date
) -> dict[str, Any]:
    """One balance line by line as of a day, each amount and running total in the type's
    unit: what a balance-lines page shows (mine, or one employee's for HR)."""
    lines = selectors.ledger_lines(actor, employee, leave_type, as_of=as_of)
    found = selectors.balances_of(actor, employee, as_of=as_of)
    row = next((r for r in found if r.leave_type == leave_type), None)

    def shown(hours: Any) -> Any:
        return row.shown(hours) if row is not None else hours

    return {
        "employee": employee,
        "leave_type": leave_type,
        "in_days": row.in_days if row is not None else False,
        "as_of": as_of,
        "lines": [
            {"entry": entry, "amount": shown(entry.hours), "total": shown(total)}
            for entry, total in lines
        ],
        "total": shown(lines[-1][1]) if lines else 0,
    }


@member_required()
def my_balance_lines(request: HttpRequest, leave_type_pk: int) -> HttpResponse:
    """One of my balances explained line by line, as of a day (`?as_of=`)."""
    actor = actor_of(request)
    leave_type: LeaveType = LeaveType.objects.access_by_id(actor, leave_type_pk)
    me = own_employee(actor)
    if me is None:
        return no_file(request)
    if not leave_type.counts_balance:
        raise Http404(_("This leave type keeps no balance."))
    as_of = parse_date(request.GET.get("as_of") or "") or timezone.localdate()
    context = lines_context(actor, me, leave_type, as_of)
    return render(request, "timeoff/self/balance_lines.html", context)
