"""Reads for the calendars of teams and of the company, the dashboard's "away" block and
the sick periods HR and managers look at (the approvals inbox: kluis/timeoff/inbox.py).
Always scoped to the reader, and what each cell says depends on what the reader may see of
that person:

- leave: its type and status with `timeoff.view` over the person; otherwise just "Away",
  and pending leave not at all;
- sickness: its kind with `timeoff.view_sickness` over the person; otherwise "Absent".
  Never its reason or note (those are read one period at a time, audited).

A calendar reads its people in one query, their leave days and their sick periods in one
query each for the period, whatever the number of people shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.models import Department, Employee, EmployeeStatus, Team
from kluis.people.permissions import actor_employee_id, can_on, scope_of, scoped
from kluis.timeoff import calendar
from kluis.timeoff.models import (
    Absence,
    AbsenceKind,
    DayPart,
    LeaveDay,
    Status,
)

VIEW = "timeoff.view"
CALENDAR = "timeoff.view_calendar"
SICKNESS = "timeoff.view_sickness"
APPROVE = "timeoff.approve"

LEAVE, PENDING, AWAY, ABSENT = "leave", "pending", "away", "absent"
KIND_LABELS = dict(AbsenceKind.choices)


# --- periods ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Day:
    date: dt.date
    off_name: str  # a public holiday's or closing day's name
    is_today: bool

    @property
    def weekend(self) -> bool:
        return self.date.weekday() >= 5

    @property
    def shaded(self) -> bool:
        return self.weekend or bool(self.off_name)


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day - dt.timedelta(days=day.weekday())
    return first, first + dt.timedelta(days=6)


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def parse_month(text: str | None, default: dt.date) -> dt.date:
    """The first day of a `YYYY-MM` month (the default's month when it is not one)."""
    try:
        year, month = (int(part) for part in str(text or "").split("-"))
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return default.replace(day=1)


def parse_day(text: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text or ""))
    except ValueError:
        return default


def days_of(actor: Actor, first: dt.date, last: dt.date) -> list[Day]:
    assert actor.tenant is not None
    off = calendar.days_off(actor.tenant, first, last)
    today = dt.date.today()
    count = (last - first).days + 1
    return [
        Day(day, off.get(day, ""), day == today)
        for day in (first + dt.timedelta(days=n) for n in range(count))
    ]


# --- who is shown ----------------------------------------------------------------------------


def people(actor: Actor) -> QuerySet[Employee]:
    """The company's current people, as a calendar needs them (everyone with
    `timeoff.view_calendar` sees who is away company-wide)."""
    return (
        Employee.objects.for_actor(actor)
        .exclude(status=EmployeeStatus.LEFT)
        .select_related("department")
        .only(
            "pk",
            "tenant_id",
            "first_name",
            "last_name",
            "preferred_name",
            "manager_id",
            "team_id",
            "department_id",
            "department__name",
        )
    )


def my_team(actor: Actor) -> Q:
    """The viewer's own team: their team if they have one; else the people they manage
    and themselves; else their manager and those reporting to the same manager."""
    own = actor_employee_id(actor)
    if own is None:
        return Q(pk__in=[])
    me = Employee.objects.for_actor(actor).filter(pk=own).values("team_id", "manager_id").first()
    if me is None:
        return Q(pk__in=[])
    if me["team_id"]:
        return Q(team_id=me["team_id"])
    if Employee.objects.for_actor(actor).filter(manager_id=own).exists():
        return Q(pk=own) | Q(manager_id=own)
    if me["manager_id"]:
        return Q(pk=me["manager_id"]) | Q(manager_id=me["manager_id"])
    return Q(pk=own)


def choices(actor: Actor) -> tuple[list[Team], list[Department]]:
    return (
        list(Team.objects.for_actor(actor).order_by("name").only("pk", "name")),
        list(Department.objects.for_actor(actor).order_by("name").only("pk", "name")),
    )


# --- the grid --------------------------------------------------------------------------------


@dataclass
class Cell:
    kind: str = ""  # "", leave, pending, away, absent
    label: str = ""  # what the reader may know: a type and status, "Away", "Absent", a kind
    part: str = DayPart.FULL


EMPTY = Cell()


@dataclass
class Row:
    employee: Employee
    cells: list[tuple[Cell, Day]] = field(default_factory=list)  # one per day, in order
    is_me: bool = False
    leave_url: str = ""  # the employee's leave page, where the reader may see their leave
    html: str = ""  # the row's cells as markup (made here: a template loop over a month
    # of fifty people's days costs more than the rest of the page together)

    @property
    def away_days(self) -> int:
        return sum(1 for cell, _day in self.cells if cell.kind)


PARTS: dict[str, object] = {DayPart.MORNING: _l("morning"), DayPart.AFTERNOON: _l("afternoon")}


def _leave_cell(status: str, type_name: str, part: str, sees: bool) -> Cell | None:
    if status == Status.PENDING and not sees:
        return None
    if status == Status.PENDING:
        label = _("%(type)s (pending)") % {"type": type_name}
        kind = PENDING
    elif sees:
        label = _("%(type)s (approved)") % {"type": type_name}
        kind = LEAVE
    else:
        label, kind = _("Away"), AWAY
    if part in PARTS:
        label = f"{label}, {PARTS[part]}"
    return Cell(kind, label, part)


def _absent_cell(kind: str, sees: bool) -> Cell:
    return Cell(ABSENT, str(KIND_LABELS.get(kind, kind)) if sees else _("Absent"))


def grid(actor: Actor, employees: Iterable[Employee], days: list[Day]) -> list[Row]:
    """One row per person, one cell per day: what this reader may know of each day (one
    query for the leave days, one for the sick periods)."""
    rows = [Row(employee=e) for e in employees]
    if not rows or not days:
        return rows
    first, last = days[0].date, days[-1].date
    ids = [row.employee.pk for row in rows]
    index = {day.date: n for n, day in enumerate(days)}
    own = actor_employee_id(actor)
    sees_leave = {row.employee.pk: can_on(actor, VIEW, row.employee) for row in rows}
    sees_sick = {row.employee.pk: can_on(actor, SICKNESS, row.employee) for row in rows}
    cells: dict[int, list[Cell]] = {pk: [EMPTY] * len(days) for pk in ids}
    leave = (
        LeaveDay.objects.for_actor(actor)
        .filter(employee_id__in=ids, date__gte=first, date__lte=last, active=True)
        .order_by("date", "request_id")
        .values_list("employee_id", "date", "part", "request__status", "request__leave_type__name")
    )
    for employee_id, date, part, status, type_name in leave:
        cell = _leave_cell(status, type_name, part, sees_leave[employee_id])
        n = index[date]
        if cell is not None and (
            not cells[employee_id][n].kind or cells[employee_id][n].kind == PENDING
        ):
            cells[employee_id][n] = cell
    absences = (
        Absence.objects.for_actor(actor)
        .filter(employee_id__in=ids, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("employee_id", "start_date", "end_date", "kind")
    )
    for employee_id, start, end, kind in absences:
        cell = _absent_cell(kind, sees_sick[employee_id])
        for n in range(index.get(max(start, first), 0), index[min(end or last, last)] + 1):
            cells[employee_id][n] = cell  # a sick day inside leave is a sick day
    markup: dict[tuple[int, bool], str] = {}
    for row in rows:
        row.cells = list(zip(cells[row.employee.pk], days, strict=True))
        row.is_me = row.employee.pk == own
        if sees_leave[row.employee.pk]:
            row.leave_url = reverse("timeoff:employee_leave", args=[row.employee.pk])
        row.html = mark_safe(  # noqa: S308 (every value escaped in _cell_html)
            "".join(
                markup.get((id(cell), day.shaded)) or _remember(markup, cell, day.shaded)
                for cell, day in row.cells
            )
        )
    return rows


def _remember(markup: dict[tuple[int, bool], str], cell: Cell, shaded: bool) -> str:
    text = markup[(id(cell), shaded)] = _cell_html(cell, shaded)
    return text


def _cell_html(cell: Cell, shaded: bool) -> str:
    classes = ["kluis-cal-cell"]
    if cell.kind:
        classes.append(f"kluis-cal-{cell.kind}")
    if shaded:
        classes.append("kluis-cal-off")
    if cell.part != DayPart.FULL:
        classes.append(f"kluis-cal-{cell.part}")
    if not cell.kind:
        return f'<td class="{" ".join(classes)}"></td>'
    label = escape(cell.label)
    return (
        f'<td class="{" ".join(classes)}" title="{label}" data-kind="{cell.kind}">'
        f'<span class="kluis-cal-text">{label}</span></td>'
    )


# --- who is away today and this week (the dashboard) -----------------------------------------


@dataclass(frozen=True)
class AwayNow:
    today: list[tuple[Employee, str]]  # (person, "Away" / "Absent")
    week: list[tuple[Employee, str]]
    scope_label: str


def away_now(actor: Actor, on: dt.date | None = None) -> AwayNow:
    """Who of the viewer's team (the company for HR) is away today and this week: names
    with "Away" or "Absent" only, whatever the viewer may see elsewhere."""
    on = on or dt.date.today()
    company = scope_of(actor, VIEW) == Scope.COMPANY
    who = people(actor) if company else people(actor).filter(my_team(actor))
    ids = who.values("pk")
    first, last = week_of(on)
    today_ids: dict[int, str] = {}
    week_ids: dict[int, str] = {}
    for employee_id, date in (
        LeaveDay.objects.for_actor(actor)
        .filter(
            employee_id__in=ids,
            date__gte=first,
            date__lte=last,
            active=True,
            request__status=Status.APPROVED,
        )
        .values_list("employee_id", "date")
    ):
        week_ids.setdefault(employee_id, _("Away"))
        if date == on:
            today_ids.setdefault(employee_id, _("Away"))
    for employee_id, start, end in (
        Absence.objects.for_actor(actor)
        .filter(employee_id__in=ids, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values_list("employee_id", "start_date", "end_date")
    ):
        week_ids[employee_id] = _("Absent")
        if start <= on and (end is None or end >= on):
            today_ids[employee_id] = _("Absent")
    found = {
        e.pk: e for e in people(actor).filter(pk__in=list(week_ids)).order_by("last_name", "pk")
    }
    return AwayNow(
        today=[(found[pk], label) for pk, label in today_ids.items() if pk in found],
        week=[(found[pk], label) for pk, label in week_ids.items() if pk in found],
        scope_label=_("The company") if company else _("Your team"),
    )


# --- sick periods ----------------------------------------------------------------------------


def absences_for(actor: Actor) -> QuerySet[Absence]:
    """The sick periods of the people whose calendar the actor keeps: HR (and anyone with
    `timeoff.view_sickness` company-wide) everyone's, a manager their team's, an employee
    their own."""
    for permission in (SICKNESS, VIEW):
        if scope_of(actor, permission) == Scope.COMPANY:
            return Absence.objects.for_actor(actor).select_related("employee")
    reach = scoped(actor, VIEW, Employee.objects.all()) | scoped(
        actor, SICKNESS, Employee.objects.all()
    )
    return Absence.objects.for_actor(actor).filter(employee__in=reach).select_related("employee")


def may_see_absence(actor: Actor, absence: Absence) -> bool:
    return can_on(actor, VIEW, absence.employee) or can_on(actor, SICKNESS, absence.employee)


def open_counts(actor: Actor) -> dict[str, int]:
    found = absences_for(actor).aggregate(
        open=Count("pk", filter=Q(end_date__isnull=True)),
        closed=Count("pk", filter=Q(end_date__isnull=False)),
    )
    return {"open": found["open"] or 0, "closed": found["closed"] or 0}
