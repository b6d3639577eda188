"""Headcount over time, hires and leavers (turnover), and contract ends ahead: counted
from the contracts' start and end dates (kluis/reports/contracts.py)."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections import Counter
from decimal import Decimal
from itertools import accumulate

from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.people.models import ContractType
from kluis.reports import charts
from kluis.reports.contracts import Contract, contracts_of, in_department, stints_of
from kluis.reports.filters import Filters
from kluis.reports.tables import (
    Column,
    Group,
    Result,
    Row,
    Table,
    Value,
    add_months,
    day_label,
    month_end,
    month_label,
    months_to,
    one_decimal,
    percent,
)

PEOPLE = "people.view"


def headcounts(contracts: list[Contract], days: list[dt.date], department: int | None) -> list[int]:
    """The people with a contract on each of `days` (sorted). Contracts of one person never
    overlap, so a contract covering a day is a person; each contract adds one to the run
    of days it covers (found by bisection), summed once at the end."""
    steps = [0] * (len(days) + 1)
    for contract in contracts:
        if not in_department(contract, department):
            continue
        low = bisect_left(days, contract.start)
        high = len(days) if contract.end is None else bisect_right(days, contract.end)
        if low < high:
            steps[low] += 1
            steps[high] -= 1
    return list(accumulate(steps[:-1]))


def headcount(actor: Actor, f: Filters) -> Result:
    contracts = contracts_of(actor, PEOPLE)
    months = months_to(f.last_month, f.months)
    counts = headcounts(contracts, [month_end(m) for m in months], f.department)
    labels = [month_label(m) for m in months]
    table = Table(
        caption=_("Headcount at the end of each month"),
        row_key="month_end",
        row_label=_("Month"),
        columns=[Column("headcount", _("Headcount"))],
        groups=[
            Group(
                "",
                [
                    Row(label, [count], key=month_end(m).isoformat())
                    for label, count, m in zip(labels, counts, months, strict=True)
                ],
            )
        ],
    )
    chart = charts.line_chart(
        "chart-headcount",
        _("Headcount at the end of each month"),
        _(
            "From %(first)s to %(last)s: %(start)s people at the end of the first month, "
            "%(end)s at the end of the last."
        )
        % {"first": labels[0], "last": labels[-1], "start": counts[0], "end": counts[-1]},
        labels,
        [charts.Series(_("Headcount"), counts)],
    )
    notes = [
        _(
            "Headcount: the people with a contract on the last day of the month. Consecutive "
            "contracts of one person count once."
        )
    ]
    return Result(table, chart, notes)


def turnover(actor: Actor, f: Filters) -> Result:
    contracts = contracts_of(actor, PEOPLE)
    stints = stints_of(contracts)
    months = months_to(f.last_month, f.months)
    rows: list[Row] = []
    days = [months[0] - dt.timedelta(days=1)] + [month_end(m) for m in months]
    heads = headcounts(contracts, days, f.department)
    hires: Counter[dt.date] = Counter()
    leavers: Counter[dt.date] = Counter()
    for stint in stints:
        if in_department(stint.first, f.department):
            hires[stint.start.replace(day=1)] += 1
        if stint.end is not None and in_department(stint.last, f.department):
            leavers[stint.end.replace(day=1)] += 1
    hires_by_month = [hires[m] for m in months]
    leavers_by_month = [leavers[m] for m in months]
    averages = [Decimal(heads[i] + heads[i + 1]) / 2 for i in range(len(months))]
    for first, hired, left, average in zip(
        months, hires_by_month, leavers_by_month, averages, strict=True
    ):
        values: list[Value] = [hired, left, one_decimal(average), percent(left, average)]
        rows.append(Row(month_label(first), values, key=first.strftime("%Y-%m")))
    mean = sum(averages, Decimal(0)) / len(averages)
    total_leavers = sum(leavers_by_month)
    rows.append(
        Row(
            _("Whole period"),
            [sum(hires_by_month), total_leavers, one_decimal(mean), percent(total_leavers, mean)],
            total=True,
            key="total",
        )
    )
    table = Table(
        caption=_("Hires, leavers and turnover per month"),
        row_key="month",
        row_label=_("Month"),
        columns=[
            Column("hires", _("Hires")),
            Column("leavers", _("Leavers")),
            Column("average_headcount", _("Average headcount"), 1),
            Column("turnover_pct", _("Turnover (%)"), 1),
        ],
        groups=[Group("", rows)],
    )
    labels = [month_label(m) for m in months]
    chart = charts.bar_chart(
        "chart-turnover",
        _("Hires and leavers per month"),
        _("From %(first)s to %(last)s: hires %(hires)s, leavers %(leavers)s.")
        % {
            "first": labels[0],
            "last": labels[-1],
            "hires": sum(hires_by_month),
            "leavers": total_leavers,
        },
        labels,
        [
            charts.Series(_("Hires"), hires_by_month),
            charts.Series(_("Leavers"), leavers_by_month),
        ],
    )
    notes = [
        _(
            "A hire is the first day of a period of service, a leaver its last day; a new "
            "contract that follows the previous one without a gap is neither."
        ),
        _(
            "Turnover of a month = leavers in the month / average headcount of the month "
            "x 100, where the average headcount = (headcount at the end of the previous month "
            "+ headcount at the end of the month) / 2."
        ),
        _(
            "Turnover of the whole period = all leavers of the period / the mean of the "
            "months' average headcounts x 100."
        ),
    ]
    return Result(table, chart, notes)


def contract_ends(actor: Actor, f: Filters) -> Result:
    """Periods of service ending after `on` within the horizon, by the last contract's type."""
    stints = stints_of(contracts_of(actor, PEOPLE))
    window_end = _months_after(f.on, f.horizon)
    first_month = (f.on + dt.timedelta(days=1)).replace(day=1)
    months: list[dt.date] = []
    month = first_month
    while month <= window_end:
        months.append(month)
        month = add_months(month, 1)
    types = list(ContractType)
    counts = {(m, t.value): 0 for m in months for t in types}
    for stint in stints:
        end = stint.end
        if end is None or not f.on < end <= window_end:
            continue
        if not in_department(stint.last, f.department):
            continue
        counts[(end.replace(day=1), stint.last.contract_type)] = (
            counts.get((end.replace(day=1), stint.last.contract_type), 0) + 1
        )
    rows = []
    for m in months:
        values: list[Value] = [counts[(m, t.value)] for t in types]
        rows.append(Row(month_label(m), [*values, sum(v for v in values if isinstance(v, int))]))
        rows[-1].key = m.strftime("%Y-%m")
    totals: list[Value] = [sum(counts[(m, t.value)] for m in months) for t in types]
    rows.append(
        Row(
            _("Within %(count)s months") % {"count": f.horizon},
            [*totals, sum(v for v in totals if isinstance(v, int))],
            total=True,
            key="total",
        )
    )
    table = Table(
        caption=_("Contracts ending per month, by contract type"),
        row_key="month",
        row_label=_("Month"),
        columns=[
            *(Column(t.value, t.label) for t in types),
            Column("total", _("Total")),
        ],
        groups=[Group("", rows)],
    )
    shown_types = [t for t in types if any(counts[(m, t.value)] for m in months)] or types[:1]
    labels = [month_label(m) for m in months]
    chart = charts.bar_chart(
        "chart-contracts",
        _("Contracts ending per month"),
        _("Contracts ending from %(first)s to %(last)s: %(count)s.")
        % {
            "count": sum(v for v in totals if isinstance(v, int)),
            "first": day_label(f.on + dt.timedelta(days=1)),
            "last": day_label(window_end),
        },
        labels,
        [charts.Series(str(t.label), [counts[(m, t.value)] for m in months]) for t in shown_types],
        stacked=True,
    )
    notes = [
        _(
            "Counted: the last day of a period of service after %(day)s and up to %(last)s; a "
            "contract followed by the next one without a gap does not end the period."
        )
        % {"day": day_label(f.on), "last": day_label(window_end)}
    ]
    return Result(table, chart, notes)


def _months_after(day: dt.date, count: int) -> dt.date:
    """The same day `count` months later (the month's last day where it is shorter)."""
    first = add_months(day.replace(day=1), count)
    return first.replace(day=min(day.day, month_end(first).day))
