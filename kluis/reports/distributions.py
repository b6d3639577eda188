"""Age and tenure: how the people employed on a day spread over bands, per department.

Age is a sensitive attribute: it needs `people.view_personal` (the birth date's
permission), and a department (or a whole selection) of fewer than 5 people is not broken
down by it. Tenure is years of unbroken service, from the contracts: not sensitive."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.reports import charts
from kluis.reports.contracts import contracts_of as read_contracts
from kluis.reports.contracts import department_names, in_department, stints_of
from kluis.reports.filters import Filters
from kluis.reports.scope import employees
from kluis.reports.tables import (
    MIN_GROUP,
    SUPPRESSED,
    Column,
    Group,
    Result,
    Row,
    Table,
    Value,
    day_label,
    full_years,
)

PEOPLE = "people.view"
PERSONAL = "people.view_personal"
UNKNOWN = "unknown"

# (CSV key, label, lowest value in the band); each band reaches up to the next one's lowest.
AGE_BANDS: list[tuple[str, str | Promise, int]] = [
    ("under_25", gettext_lazy("Under 25"), -1000),
    ("25_34", "25\u201334", 25),
    ("35_44", "35\u201344", 35),
    ("45_54", "45\u201354", 45),
    ("55_64", "55\u201364", 55),
    ("65_plus", gettext_lazy("65 and over"), 65),
]
TENURE_BANDS: list[tuple[str, str | Promise, int]] = [
    ("under_1", gettext_lazy("Under 1 year"), -1000),
    ("1_2", gettext_lazy("1–2 years"), 1),  # noqa: RUF001 (an en dash, as shown)
    ("2_5", gettext_lazy("2–5 years"), 2),  # noqa: RUF001 (an en dash, as shown)
    ("5_10", gettext_lazy("5–10 years"), 5),  # noqa: RUF001 (an en dash, as shown)
    ("10_plus", gettext_lazy("10 years or more"), 10),
]


def band_of(value: int | None, bands: list[tuple[str, str | Promise, int]]) -> str:
    if value is None:
        return UNKNOWN
    key = bands[0][0]
    for band_key, _label, lowest in bands:
        if value >= lowest:
            key = band_key
    return key


def _spread(
    actor: Actor,
    permission: str,
    f: Filters,
    value_of: Callable[[int, dt.date], int | None],
    bands: list[tuple[str, str | Promise, int]],
    *,
    sensitive: bool,
    with_unknown: bool,
) -> tuple[Table, list[int | None]]:
    """The table of people per band and department, and the chart's totals per band
    (None where the whole selection is too small to show)."""
    stints = stints_of(read_contracts(actor, permission))
    on = f.on
    per_department: dict[int | None, Counter[str]] = {}
    for stint in stints:
        current = stint.contract_on(on)
        if current is None or not in_department(current, f.department):
            continue
        band = band_of(value_of(stint.employee_id, stint.start), bands)
        per_department.setdefault(current.department_id, Counter())[band] += 1
    keys = [key for key, _label, _low in bands] + ([UNKNOWN] if with_unknown else [])
    names = department_names(actor)

    def values(counts: Counter[str]) -> list[Value]:
        people = sum(counts.values())
        if sensitive and people < MIN_GROUP:
            return [SUPPRESSED] * len(keys) + [people]
        shown: list[Value] = [counts.get(key, 0) for key in keys]
        return [*shown, people]

    ordered = sorted(per_department, key=lambda pk: (pk is None, names.get(pk, "")))
    rows = [Row(names.get(pk, ""), values(per_department[pk])) for pk in ordered]
    everyone: Counter[str] = Counter()
    for counts in per_department.values():
        everyone.update(counts)
    total = values(everyone)
    rows.append(Row(_("All"), total, total=True, key="total"))
    columns = [Column(key, label) for key, label, _low in bands]
    if with_unknown:
        columns.append(Column(UNKNOWN, gettext_lazy("Birth date unknown")))
    columns.append(Column("people", gettext_lazy("People")))
    table = Table(
        caption="",
        row_key="department",
        row_label=gettext_lazy("Department"),
        columns=columns,
        groups=[Group("", rows)],
    )
    chart_values = [v if isinstance(v, int) else None for v in total[: len(keys)]]
    return table, chart_values


def age(actor: Actor, f: Filters) -> Result:
    births = dict(employees(actor, PERSONAL).values_list("pk", "birth_date"))

    def age_of(employee_id: int, _start: dt.date) -> int | None:
        born = births.get(employee_id)
        return full_years(born, f.on) if born else None

    table, totals = _spread(
        actor, PERSONAL, f, age_of, AGE_BANDS, sensitive=True, with_unknown=True
    )
    table.caption = _("People per age band and department on %(day)s") % {"day": day_label(f.on)}
    labels = [str(label) for _key, label, _low in AGE_BANDS] + [_("Unknown")]
    shown = all(v is not None for v in totals)
    desc = (
        _("People employed on %(day)s per age band.") % {"day": day_label(f.on)}
        if shown
        else _("Fewer than 5 people: the age bands are not shown.")
    )
    chart = charts.bar_chart(
        "chart-age", _("People per age band"), desc, labels, [charts.Series(_("People"), totals)]
    )
    notes = [
        _("Age in completed years on %(day)s, of the people with a contract that day.")
        % {"day": day_label(f.on)},
        _(
            "Age is personal data: a department or selection of fewer than 5 people is not "
            "broken down by it."
        ),
    ]
    return Result(table, chart, notes)


def tenure(actor: Actor, f: Filters) -> Result:
    def years_of(_employee_id: int, start: dt.date) -> int | None:
        return full_years(start, f.on)

    table, totals = _spread(
        actor, PEOPLE, f, years_of, TENURE_BANDS, sensitive=False, with_unknown=False
    )
    table.caption = _("People per length of service and department on %(day)s") % {
        "day": day_label(f.on)
    }
    labels = [str(label) for _key, label, _low in TENURE_BANDS]
    chart = charts.bar_chart(
        "chart-tenure",
        _("People per length of service"),
        _("People employed on %(day)s per completed years of unbroken service.")
        % {"day": day_label(f.on)},
        labels,
        [charts.Series(_("People"), totals)],
    )
    notes = [
        _(
            "Length of service: completed years since the start of the unbroken period of "
            "service that includes %(day)s (a new contract straight after the previous one "
            "continues it)."
        )
        % {"day": day_label(f.on)}
    ]
    return Result(table, chart, notes)
