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

from kluis.formats import day_text

# Breakdowns by a sensitive attribute (age, sickness) are not shown for fewer people.
MIN_GROUP = 5
SUPPRESSED_TEXT = _("fewer than 5 people: not shown")
# What a left-out figure shows in the table: a short mark, explained once per row (a
# footnote marker on the row's header) and once under the table.
SUPPRESSED_MARK = "\u2014"


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

    @property
    def suppressed(self) -> bool:
        """Some of the row's figures are left out (a group of fewer than 5 people)."""
        return any(isinstance(v, Suppressed) for v in self.values)


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

    def any_suppressed(self) -> bool:
        return any(row.suppressed for group in self.groups for row in group.rows)

    def csv_header(self) -> list[str]:
        """The CSV's header; a last column "note" says why a row's empty cells are empty,
        when some figures are left out."""
        head = [self.group_key] if self.group_key else []
        note = ["note"] if self.any_suppressed() else []
        return [*head, self.row_key, *(c.key for c in self.columns), *note]

    def csv_rows(self) -> list[list[str]]:
        out = []
        noted = self.any_suppressed()
        for group in self.groups:
            for row in group.rows:
                head = [group.label] if self.group_key else []
                note = [str(SUPPRESSED_TEXT) if row.suppressed else ""] if noted else []
                out.append([*head, row.key or row.label, *(plain(v) for v in row.values), *note])
        return out

    def shown(self, row: Row) -> list[str]:
        return [shown(v, c.decimals) for v, c in zip(row.values, self.columns, strict=True)]


def plain(value: Value) -> str:
    """A figure as the CSV writes it: a plain number (a dot for decimals), or nothing when
    there is none or it is left out (the row's note says why)."""
    if value is None or isinstance(value, Suppressed):
        return ""
    return str(value)


def shown(value: Value, decimals: int) -> str:
    """A figure as the page shows it, in the reader's number format."""
    if value is None:
        return "\u2013"
    if isinstance(value, Suppressed):
        return SUPPRESSED_MARK
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


day_label = day_text  # a day in a caption or a note (kluis.formats)


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
