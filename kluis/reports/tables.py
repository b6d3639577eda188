"""The figures of a report as one table: what the page shows beside the chart and what the
CSV export writes, so both always hold the same numbers. Also the months the reports
count in and the small-group rule."""

from __future__ import annotations

import calendar as month_calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

# Breakdowns by a sensitive attribute (age, sickness) are not shown for fewer people.
MIN_GROUP = 5
SUPPRESSED_TEXT = _("fewer than 5 people: not shown")


class Suppressed:
    """A figure left out because its group is under MIN_GROUP people."""

    def __str__(self) -> str:
        return str(SUPPRESSED_TEXT)


SUPPRESSED = Suppressed()
Value = int | Decimal | Suppressed | None


@dataclass(frozen=True)
class Column:
    key: str  # the CSV header: stable for scripts
    label: str | Promise
    decimals: int = 0  # how the page shows it


@dataclass
class Row:
    label: str  # the row's header cell on the page
    values: list[Value]
    total: bool = False  # a total row (shown bold)
    key: str = ""  # the row's label in the CSV when it differs (a month as 2026-01)


@dataclass
class Group:
    """Rows under one heading (a department, a leave type); label "" for none."""

    label: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class Table:
    caption: str | Promise
    row_key: str  # CSV header of the row labels ("month", "department", ...)
    row_label: str | Promise
    columns: list[Column]
    groups: list[Group]
    group_key: str = ""  # CSV header of the group labels, when there are groups
    group_label: str | Promise = ""

    def csv_header(self) -> list[str]:
        head = [self.group_key] if self.group_key else []
        return [*head, self.row_key, *(c.key for c in self.columns)]

    def csv_rows(self) -> list[list[str]]:
        out = []
        for group in self.groups:
            for row in group.rows:
                head = [group.label] if self.group_key else []
                out.append([*head, row.key or row.label, *(plain(v) for v in row.values)])
        return out

    def shown(self, row: Row) -> list[str]:
        return [shown(v, c.decimals) for v, c in zip(row.values, self.columns, strict=True)]


def plain(value: Value) -> str:
    """A figure as the CSV writes it: a plain number (a dot for decimals), or the reason
    it is left out."""
    if value is None:
        return ""
    return str(value)


def shown(value: Value, decimals: int) -> str:
    """A figure as the page shows it, in the reader's number format."""
    if value is None:
        return "\u2013"
    if isinstance(value, Suppressed):
        return str(value)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def percent(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """part / whole as a percentage with one decimal (None when whole is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def one_decimal(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- months -----------------------------------------------------------------------------


def month_end(first: dt.date) -> dt.date:
    return first.replace(day=month_calendar.monthrange(first.year, first.month)[1])


def add_months(first: dt.date, count: int) -> dt.date:
    """The first day of the month `count` months after (or before) `first`'s month."""
    index = first.year * 12 + first.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_to(last_month: dt.date, count: int) -> list[dt.date]:
    """The first days of `count` months, oldest first, the last being `last_month`'s."""
    last = last_month.replace(day=1)
    return [add_months(last, -offset) for offset in range(count - 1, -1, -1)]


def month_label(first: dt.date) -> str:
    return date_format(first, "M Y")


def full_years(since: dt.date, on: dt.date) -> int:
    """Completed years from `since` to `on` (an age, a tenure); 29 February counts as
    1 March in other years."""
    years = on.year - since.year
    if (on.month, on.day) < (since.month, since.day):
        years -= 1
    return years


@dataclass
class Result:
    """A report's figures: the table, the chart drawn from it, and how it was counted."""

    table: Table
    chart: SafeString
    notes: list[str] = field(default_factory=list)
