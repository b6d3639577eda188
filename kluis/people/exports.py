"""CSV and XLSX exports of the HR list's current filter.

Which columns: a column is exported only when the viewer may read it on *every* exported
row. The rows come from `people.view`, so a column group is included when the viewer holds
its permission with a scope at least as wide as their `people.view` scope (company covers
team, team covers self): an HR admin gets everything, a manager their team's contact and
job data but no national number, bank account or wage columns.

Memory does not grow with the number of rows: one query, read with `.iterator()`, the
current contract and wage come from correlated subqueries (no query per row), the CSV is
streamed and the XLSX is written by xlsxwriter in constant-memory mode to a temporary
file that is streamed back.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import Case, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.permissions import SCOPE_RANK, Scope
from kluis.audit.services import record
from kluis.crypto import vault
from kluis.operations import spreadsheets
from kluis.operations.spreadsheets import FORMULA_STARTS, safe_cell
from kluis.people.fields import (
    ADDRESS_PARTS,
    EMPLOYEE_FIELDS,
    GROUP_PERMISSION,
    PROBATION_LABEL,
    WAGE_PURPOSE,
    purpose,
)
from kluis.people.models import CustomFieldDefinition, Employee, Employment, Wage
from kluis.people.permissions import scope_of
from kluis.tenancy.models import Tenant

CHUNK_SIZE = 500
CUSTOM_PREFIX = "custom."
# Columns of the current contract and wage, next to the employee's own fields.
WAGE_COLUMNS = ("wage_amount", "wage_currency", "wage_period")
SEALED_COLUMNS = frozenset(name for name, spec in EMPLOYEE_FIELDS.items() if spec.sealed)
# Read from the subqueries of the current contract and wage.
ANNOTATED_COLUMNS = frozenset(
    {
        "contract_type",
        "start_date",
        "end_date",
        "probation_end_date",
        "hours_per_week",
        *WAGE_COLUMNS,
    }
)


@dataclass(frozen=True)
class Column:
    name: str  # the header; the import reads the same names
    label: str | Promise
    group: str  # the field group, which decides the permission
    kind: str = "text"  # text, date, number
    custom_key: str = ""

    @property
    def sensitive(self) -> bool:
        return self.group in {"identity", "bank", "salary"}


def all_columns(custom: Iterable[CustomFieldDefinition]) -> list[Column]:
    columns: list[Column] = []
    for name, spec in EMPLOYEE_FIELDS.items():
        kind = "date" if spec.kind == "date" else "text"
        columns.append(Column(name, spec.label, spec.group, kind))
        if name == "manager":
            columns += [
                Column("manager_number", _("Manager's employee number"), "job"),
                Column("contract_type", _("Contract type"), "job"),
                Column("start_date", _("Contract start"), "job", "date"),
                Column("end_date", _("Contract end"), "job", "date"),
                Column("probation_end_date", PROBATION_LABEL, "job", "date"),
                Column("hours_per_week", _("Hours per week"), "job", "number"),
            ]
    columns += [
        Column("wage_amount", _("Gross wage"), "salary", "number"),
        Column("wage_currency", _("Wage currency"), "salary"),
        Column("wage_period", _("Wage period"), "salary"),
    ]
    for definition in custom:
        kind = {
            CustomFieldDefinition.FieldType.DATE: "date",
            CustomFieldDefinition.FieldType.NUMBER: "number",
        }.get(CustomFieldDefinition.FieldType(definition.field_type), "text")
        columns.append(
            Column(CUSTOM_PREFIX + definition.key, definition.label, "basic", kind, definition.key)
        )
    return columns


def columns_for(actor: Actor) -> list[Column]:
    """The columns this actor may read on every row their `people.view` reaches."""
    base = scope_of(actor, "people.view")
    if base is None:
        return []
    base_rank = SCOPE_RANK[Scope(base)]

    def readable(group: str) -> bool:
        scope = scope_of(actor, GROUP_PERMISSION[group])
        return scope is not None and SCOPE_RANK[Scope(scope)] >= base_rank

    # Archived custom fields too: their values stay in exports (issue 17).
    custom = CustomFieldDefinition.objects.for_actor(actor)
    return [c for c in all_columns(custom) if readable(c.group)]


# --- the rows -------------------------------------------------------------------------


def _current_contract() -> QuerySet[Employment]:
    """Per employee: today's contract first (latest start), else the latest (a leaver's)."""
    today = timezone.localdate()
    running = Q(start_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gte=today))
    return Employment.objects.filter(employee=OuterRef("pk")).order_by(
        Case(When(running, then=Value(0)), default=Value(1), output_field=IntegerField()),
        "-start_date",
        "-pk",
    )


def _current_wage() -> QuerySet[Wage]:
    """Per employee: the wage in force today, else the first one still to come."""
    today = timezone.localdate()
    started = Q(effective_from__lte=today)
    return Wage.objects.filter(employee=OuterRef("pk")).order_by(
        Case(When(started, then=Value(0)), default=Value(1), output_field=IntegerField()),
        Case(When(started, then=F("effective_from"))).desc(nulls_last=True),
        "effective_from",
    )


Row = dict[str, Any]
Getter = Callable[[Row], Any]


def _source_fields(column: Column) -> list[str]:
    """What one column reads from the row (plain values, no model instances)."""
    name = column.name
    if column.custom_key:
        return ["custom_fields"]
    if name in ("department", "team"):
        return [f"{name}__name"]
    if name == "manager":
        return ["manager__first_name", "manager__preferred_name", "manager__last_name"]
    if name == "manager_number":
        return ["manager__employee_number"]
    if name in SEALED_COLUMNS:
        return [f"{name}_sealed"]
    if name in ANNOTATED_COLUMNS:
        return [f"export_{name}"]
    return [name]


def export_rows(queryset: QuerySet[Employee], columns: list[Column]) -> QuerySet[Any]:
    """The rows as dicts of exactly what the columns need, in one query: the current
    contract and wage come from correlated subqueries, names from joins."""
    names = {c.name for c in columns}
    annotations: dict[str, Any] = {}
    contract = _current_contract()
    for name in (
        "contract_type",
        "start_date",
        "end_date",
        "probation_end_date",
        "hours_per_week",
    ):
        if name in names:
            annotations[f"export_{name}"] = Subquery(contract.values(name)[:1])
    if names & set(WAGE_COLUMNS):
        wage = _current_wage()
        for source, target in (
            ("amount_sealed", "wage_amount"),
            ("currency", "wage_currency"),
            ("period", "wage_period"),
        ):
            annotations[f"export_{target}"] = Subquery(wage.values(source)[:1])
    fields = list(dict.fromkeys(f for c in columns for f in _source_fields(c)))
    return queryset.annotate(**annotations).values(*fields)


def format_address(address: dict[str, str]) -> str:
    """One line, "street number, postal code city, country"; the import reads it back."""
    if not address:
        return ""
    parts = {p: (address.get(p) or "").strip() for p in ADDRESS_PARTS}
    street = " ".join(x for x in (parts["street"], parts["number"]) if x)
    place = " ".join(x for x in (parts["postal_code"], parts["city"]) if x)
    return ", ".join(x for x in (street, place, parts["country"]) if x)


def _custom_getter(column: Column) -> Getter:
    key, kind = column.custom_key, column.kind

    def get(row: Row) -> Any:
        value = (row["custom_fields"] or {}).get(key)
        if value is None or value == "":
            return ""
        if isinstance(value, bool):
            return "yes" if value else "no"
        if kind == "date":
            return _date_or_text(value)
        if kind == "number":
            return _decimal_or_text(value)
        return value

    return get


def _sealed_getter(tenant_id: int, name: str) -> Getter:
    field_purpose, source = purpose(name), f"{name}_sealed"

    def get(row: Row) -> Any:
        token = row[source]
        if not token:
            return ""
        text = vault.unseal(tenant_id, field_purpose, token) or ""
        if name == "address":
            return format_address(json.loads(text)) if text else ""
        return text

    return get


def _wage_amount(tenant_id: int) -> Getter:
    def get(row: Row) -> Any:
        token = row["export_wage_amount"]
        amount = vault.unseal(tenant_id, WAGE_PURPOSE, token) if token else ""
        return Decimal(amount) if amount else ""

    return get


def _manager_name(row: Row) -> str:
    first = row["manager__preferred_name"] or row["manager__first_name"] or ""
    return f"{first} {row['manager__last_name'] or ''}".strip()


def _plain(source: str) -> Getter:
    def get(row: Row) -> Any:
        value = row[source]
        return "" if value is None else value

    return get


def getters(tenant_id: int, columns: list[Column]) -> list[Getter]:
    """One function per column that reads its value from a row of `export_rows`: dates
    stay dates, amounts Decimals, empty is ""."""
    out: list[Getter] = []
    for column in columns:
        name = column.name
        if column.custom_key:
            out.append(_custom_getter(column))
        elif name == "manager":
            out.append(_manager_name)
        elif name == "wage_amount":
            out.append(_wage_amount(tenant_id))
        elif name in SEALED_COLUMNS:
            out.append(_sealed_getter(tenant_id, name))
        else:
            out.append(_plain(_source_fields(column)[0]))
    return out


def _date_or_text(value: Any) -> Any:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return value


def _decimal_or_text(value: Any) -> Any:
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return value


# --- audit ----------------------------------------------------------------------------


def record_people_export(
    actor: Actor,
    tenant: Tenant,
    *,
    export_format: str,
    filters: dict[str, str],
    columns: list[Column],
    rows: int,
) -> None:
    """Every export is an audit event: who, which filter, which columns (never values)."""
    with transaction.atomic():
        record(
            actor,
            "people.exported",
            tenant=tenant,
            object_type="people.employee",
            object_repr="people export",
            changes={
                "format": export_format,
                "filters": dict(filters),
                "columns": [c.name for c in columns],
                "sensitive_columns": [c.name for c in columns if c.sensitive],
                "rows": rows,
            },
        )


# --- files ----------------------------------------------------------------------------


def filename(tenant: Tenant, extension: str) -> str:
    return f"kluis-people-{tenant.slug}-{timezone.localdate().isoformat()}.{extension}"


def _csv_text(value: Any) -> str:
    """A cell no spreadsheet will evaluate; the fast path is plain text (most cells)."""
    if type(value) is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if isinstance(value, dt.date):
        return value.isoformat()
    return safe_cell(value)


def csv_lines(rows: Iterable[Row], columns: list[Column], tenant_id: int) -> Iterator[str]:
    """A byte-order mark (so spreadsheets read UTF-8), the header, then one line a row."""
    read = getters(tenant_id, columns)
    yield from spreadsheets.csv_lines(
        [c.name for c in columns], ([_csv_text(get(row)) for get in read] for row in rows)
    )


def csv_response(
    tenant: Tenant, queryset: QuerySet[Employee], columns: list[Column]
) -> StreamingHttpResponse:
    rows = export_rows(queryset, columns).iterator(chunk_size=CHUNK_SIZE)
    return spreadsheets.csv_response(csv_lines(rows, columns, tenant.pk), filename(tenant, "csv"))


def write_xlsx(target: Any, rows: Iterable[Row], columns: list[Column], tenant_id: int) -> None:
    """One sheet: a bold header row, then the rows; text is always written as text (never
    a formula or a link), dates as dates and numbers as numbers."""
    workbook = spreadsheets.workbook(target)
    sheet = workbook.add_worksheet("People")
    for index, column in enumerate(columns):
        sheet.set_column(index, index, 12 if column.kind in ("date", "number") else 18)
    spreadsheets.header_row(workbook, sheet, [c.name for c in columns])
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    read = getters(tenant_id, columns)
    write_string, write_number, write_date = (
        sheet.write_string,
        sheet.write_number,
        sheet.write_datetime,
    )
    for row_number, row in enumerate(rows, start=1):
        for index, get in enumerate(read):
            value = get(row)
            if value == "":
                continue
            if type(value) is str:
                write_string(row_number, index, value)
            elif isinstance(value, dt.date):
                write_date(row_number, index, value, date_format)
            elif isinstance(value, Decimal | int | float) and not isinstance(value, bool):
                write_number(row_number, index, float(value))
            elif isinstance(value, dict | list):
                write_string(row_number, index, json.dumps(value, ensure_ascii=False))
            else:
                write_string(row_number, index, str(value))
    workbook.close()


def xlsx_response(
    tenant: Tenant, queryset: QuerySet[Employee], columns: list[Column]
) -> FileResponse:
    def write(handle: IO[bytes]) -> None:
        rows = export_rows(queryset, columns).iterator(chunk_size=CHUNK_SIZE)
        write_xlsx(handle, rows, columns, tenant.pk)

    return spreadsheets.xlsx_response(write, filename(tenant, "xlsx"))
