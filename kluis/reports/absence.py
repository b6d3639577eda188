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

Group_ = int | str | None  # a department id, None (no department) or ALL


class _Counts:
    """Per group (department or ALL) and month index: scheduled days, sick days, people;
    and the people of the whole period. Contracts arrive by person, so a person is counted
    once per group and month by remembering the last person counted there."""

    def __init__(self, months: int) -> None:
        self.months = months
        self.scheduled: dict[Group_, list[int]] = {}
        self.sick: dict[Group_, list[int]] = {}
        self.people: dict[Group_, list[int]] = {}
        self.period_people: dict[Group_, int] = defaultdict(int)
        self._last: dict[tuple[Group_, int], int] = {}
        self._last_period: dict[Group_, int] = {}

    def _row(self, table: dict[Group_, list[int]], group: Group_) -> list[int]:
        row = table.get(group)
        if row is None:
            row = table[group] = [0] * self.months
        return row

    def add(self, department: int | None, employee: int, days_by_month: list[int]) -> None:
        for group in (department, ALL):
            scheduled = self._row(self.scheduled, group)
            people = self._row(self.people, group)
            for index, days in enumerate(days_by_month):
                if days:
                    scheduled[index] += days
                    if self._last.get((group, index)) != employee:
                        self._last[(group, index)] = employee
                        people[index] += 1
            if self._last_period.get(group) != employee:
                self._last_period[group] = employee
                self.period_people[group] += 1

    def add_sick(self, department: int | None, index: int, days: int) -> None:
        for group in (department, ALL):
            self._row(self.sick, group)[index] += days


def _count(actor: Actor, f: Filters, months: list[dt.date]) -> _Counts:
    first, last = months[0], month_end(months[-1])
    assert actor.tenant is not None  # reach_of() let only members in
    off = sorted(calendar.days_off(actor.tenant, first, last))
    spans = [(m, month_end(m), tuple(d for d in off if m <= d <= month_end(m))) for m in months]
    # The working days of each whole month, per weekly pattern: most contracts cover
    # whole months, and a company has a few patterns.
    whole: dict[tuple[bool, ...], list[int]] = {}
    by_employee: dict[int, list[Contract]] = defaultdict(list)
    counts = _Counts(len(months))
    for contract in contracts_of(actor, SICKNESS, schedules=True):
        if not in_department(contract, f.department):
            continue
        by_employee[contract.employee_id].append(contract)
        start, end, working = contract.start, contract.end, contract.working
        if working not in whole:
            whole[working] = [count(working, m, m_last, m_off) for m, m_last, m_off in spans]
        if start <= first and (end is None or end >= last):
            days_by_month = whole[working]
        else:
            stop = last if end is None else end
            days_by_month = [
                count(working, max(start, m), min(stop, m_last), m_off)
                for m, m_last, m_off in spans
            ]
        if any(days_by_month):
            counts.add(contract.department_id, contract.employee_id, days_by_month)
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
            for index, (m, m_last, m_off) in enumerate(spans):
                low = max(start, m, contract.start)
                high = min(stop, m_last, contract.end or m_last)
                days = count(contract.working, low, high, m_off)
                if days:
                    counts.add_sick(contract.department_id, index, days)
    return counts


def absence(actor: Actor, f: Filters) -> Result:
    months = months_to(f.last_month, f.months)
    counts = _count(actor, f, months)
    names = department_names(actor)
    departments = sorted(
        (group for group in counts.people if not isinstance(group, str)),
        key=lambda pk: (pk is None, names.get(pk, "")),
    )
    groups: list[Group] = []
    chart_values: list[float | None] = []
    empty = [0] * len(months)
    for department in [*departments, ALL] if f.department is None else [f.department]:
        rows = []
        people = counts.people.get(department, empty)
        scheduled = counts.scheduled.get(department, empty)
        sick = counts.sick.get(department, empty)
        for index, m in enumerate(months):
            values = _values(people[index], scheduled[index], sick[index])
            rows.append(Row(month_label(m), values, key=m.strftime("%Y-%m")))
            if department == (ALL if f.department is None else f.department):
                rate = values[3]
                chart_values.append(float(rate) if isinstance(rate, Decimal) else None)
        rows.append(
            Row(
                _("Whole period"),
                _values(counts.period_people.get(department, 0), sum(scheduled), sum(sick)),
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
