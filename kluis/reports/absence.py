"""Absence rate and sick days per department and month.

Sick days are the working days a sick period (an absence of kind "Sickness") covers: the
days the person's contract schedule asks hours on, public holidays and closing days left
out (kluis.timeoff.calendar, kluis.timeoff.law.schedule), counted to the department of the
contract in force that day. Absence rate = sick days / scheduled working days. Sickness is
a sensitive category: the report needs `timeoff.view_sickness`, and a department-month of
fewer than 5 people shows no sick days or rate."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.reports import charts
from kluis.reports.contracts import Contract, contracts_of, department_names, in_department
from kluis.reports.filters import Filters
from kluis.reports.scope import rows_of
from kluis.reports.tables import (
    MIN_GROUP,
    SUPPRESSED,
    Column,
    Group,
    Result,
    Row,
    Table,
    Value,
    month_end,
    month_label,
    months_to,
    percent,
)
from kluis.reports.workdays import count
from kluis.timeoff import calendar
from kluis.timeoff.models import Absence, AbsenceKind

SICKNESS = "timeoff.view_sickness"
ALL = "all"

Key = tuple[int | str | None, dt.date]  # (department id, or ALL; the month)


class _Counts:
    def __init__(self) -> None:
        self.scheduled: dict[Key, int] = defaultdict(int)
        self.sick: dict[Key, int] = defaultdict(int)
        self.people: dict[Key, set[int]] = defaultdict(set)

    def add(self, department: int | None, month: dt.date, employee: int, days: int) -> None:
        for key in ((department, month), (ALL, month)):
            self.scheduled[key] += days
            self.people[key].add(employee)

    def add_sick(self, department: int | None, month: dt.date, days: int) -> None:
        for key in ((department, month), (ALL, month)):
            self.sick[key] += days


def _count(actor: Actor, f: Filters, months: list[dt.date]) -> _Counts:
    first, last = months[0], month_end(months[-1])
    assert actor.tenant is not None  # reach_of() let only members in
    off = sorted(calendar.days_off(actor.tenant, first, last))
    spans = [(m, month_end(m), tuple(d for d in off if m <= d <= month_end(m))) for m in months]
    by_employee: dict[int, list[Contract]] = defaultdict(list)
    counts = _Counts()
    for contract in contracts_of(actor, SICKNESS, schedules=True):
        if not in_department(contract, f.department):
            continue
        by_employee[contract.employee_id].append(contract)
        start, end, working = contract.start, contract.end, contract.working
        for m, m_last, m_off in spans:
            if start > m_last or (end is not None and end < m):
                continue
            days = count(working, max(start, m), m_last if end is None else min(end, m_last), m_off)
            if days:
                counts.add(contract.department_id, m, contract.employee_id, days)
    until = min(last, timezone.localdate())
    sick_periods = (
        rows_of(actor, SICKNESS, Absence.objects.all())
        .filter(kind=AbsenceKind.SICKNESS, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by()
        .values_list("employee_id", "start_date", "end_date")
    )
    for employee_id, start, end in sick_periods:
        stop = end or until
        for contract in by_employee.get(employee_id, ()):
            for m, m_last, m_off in spans:
                low = max(start, m, contract.start)
                high = min(stop, m_last, contract.end or m_last)
                days = count(contract.working, low, high, m_off)
                if days:
                    counts.add_sick(contract.department_id, m, days)
    return counts


def absence(actor: Actor, f: Filters) -> Result:
    months = months_to(f.last_month, f.months)
    counts = _count(actor, f, months)
    names = department_names(actor)
    departments = sorted(
        {key[0] for key in counts.people if key[0] != ALL},
        key=lambda pk: (pk is None, names.get(pk, "")),  # type: ignore[arg-type]
    )
    groups: list[Group] = []
    chart_values: list[float | None] = []
    for department in [*departments, ALL] if f.department is None else [f.department]:
        rows = []
        everyone: set[int] = set()
        scheduled_total = sick_total = 0
        for m in months:
            key = (department, m)
            people = counts.people.get(key, set())
            everyone |= people
            scheduled, sick = counts.scheduled.get(key, 0), counts.sick.get(key, 0)
            scheduled_total += scheduled
            sick_total += sick
            values = _values(len(people), scheduled, sick)
            rows.append(Row(month_label(m), values, key=m.strftime("%Y-%m")))
            if department == (ALL if f.department is None else f.department):
                rate = values[3]
                chart_values.append(float(rate) if isinstance(rate, Decimal) else None)
        rows.append(
            Row(
                _("Whole period"),
                _values(len(everyone), scheduled_total, sick_total),
                total=True,
                key="total",
            )
        )
        label = _("All departments") if isinstance(department, str) else names.get(department, "")
        groups.append(Group(label, rows))
    table = Table(
        caption=_("Sick days and absence rate per department and month"),
        row_key="month",
        row_label=_("Month"),
        columns=[
            Column("people", _("People")),
            Column("scheduled_days", _("Scheduled working days")),
            Column("sick_days", _("Sick days")),
            Column("absence_rate_pct", _("Absence rate (%)"), 1),
        ],
        groups=groups,
        group_key="department",
        group_label=_("Department"),
    )
    labels = [month_label(m) for m in months]
    whole = groups[-1].rows[-1].values[3]
    chart = charts.line_chart(
        "chart-absence",
        _("Absence rate per month"),
        _("Sick days as a share of scheduled working days, %(first)s to %(last)s: %(rate)s.")
        % {
            "first": labels[0],
            "last": labels[-1],
            "rate": f"{whole}%" if isinstance(whole, Decimal) else str(whole or "\u2013"),
        },
        labels,
        [charts.Series(_("Absence rate (%)"), chart_values)],
        unit="%",
    )
    notes = [
        _(
            "Absence rate = sick days / scheduled working days x 100. Scheduled working days: "
            "the days each person's contract schedule asks hours on, public holidays and "
            "closing days left out; sick days: those days covered by a sick period."
        ),
        _(
            "Counted: absences of the kind Sickness (not work accidents, maternity or birth "
            "leave); an open sick period up to today."
        ),
        _("Sickness is sensitive: a group of fewer than 5 people shows no sick days or rate."),
    ]
    return Result(table, chart, notes)


def _values(people: int, scheduled: int, sick: int) -> list[Value]:
    if people < MIN_GROUP:
        return [people, scheduled, SUPPRESSED, SUPPRESSED]
    return [people, scheduled, sick, percent(sick, scheduled)]
