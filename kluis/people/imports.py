"""Importing employees from a CSV file: read, preview (dry run), then all or nothing.

Every row goes through `services.hire_employee`, so an import validates, versions and
audits exactly like hiring one person by hand. The preview runs the same hires inside a
transaction that is rolled back; the confirmation runs them again in one transaction and
keeps them only when every row succeeds.

The file is kept between preview and confirmation by `kluis.people.import_uploads`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.audit.services import record
from kluis.crypto import vault
from kluis.operations.spreadsheets import FORMULA_STARTS
from kluis.people import services
from kluis.people.exports import CUSTOM_PREFIX
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team
from kluis.tenancy.models import Tenant

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2_000  # each row runs the full hire service (~10 ms); bigger files: split them
REQUIRED_COLUMNS = ("first_name", "last_name", "start_date", "job_title")
EMPLOYEE_COLUMNS = tuple(name for name, spec in EMPLOYEE_FIELDS.items() if spec.editable)
CONTRACT_COLUMNS = (
    "job_title",
    "department",
    "team",
    "manager_number",
    "contract_type",
    "start_date",
    "end_date",
    "probation_end_date",
    "hours_per_week",
)
WAGE_COLUMNS = ("wage_amount", "wage_currency", "wage_period")
# In the export, but not read back: the manager's name (the number says who it is).
IGNORED_COLUMNS = ("manager",)


class ImportFileError(Exception):
    """The file as a whole cannot be read: nothing in it was looked at row by row."""


# --- reading the file -------------------------------------------------------------------


@dataclass
class ParsedFile:
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]]  # (row number in the spreadsheet, values)
    row_errors: dict[int, list[tuple[str, str]]] = field(default_factory=dict)


def known_columns(tenant: Tenant) -> list[str]:
    custom = CustomFieldDefinition.objects.for_tenant(tenant).filter(is_active=True)
    return [
        *EMPLOYEE_COLUMNS,
        *(c for c in CONTRACT_COLUMNS if c not in EMPLOYEE_COLUMNS),
        *WAGE_COLUMNS,
        *(CUSTOM_PREFIX + d.key for d in custom),
    ]


def decode(raw: bytes) -> str:
    """UTF-8 text (with or without a byte-order mark), or a clear reason why not."""
    if len(raw) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(mb)d MB; split it into smaller files.")
            % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if not raw.strip():
        raise ImportFileError(_("The file is empty."))
    if b"\x00" in raw:
        raise ImportFileError(
            _("This is not a CSV file. Save the spreadsheet as “CSV UTF-8” and upload that.")
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("The file is not UTF-8 text. Save the spreadsheet as “CSV UTF-8” and upload that.")
        ) from None


def parse(text: str, tenant: Tenant) -> ParsedFile:
    """Header and rows of a CSV text; `,` or `;` between cells, whichever the header uses."""
    header_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        columns = [h.strip().lower() for h in header]
        _check_header(columns, tenant)
        parsed = ParsedFile(columns=columns, rows=[])
        # Spreadsheet row numbers: the header is row 1, a cell over two lines is one row.
        for number, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(parsed.rows) >= MAX_ROWS:
                raise ImportFileError(
                    _("The file has more than %(n)s rows; split it into smaller files.")
                    % {"n": f"{MAX_ROWS:,}"}
                )
            if len(cells) > len(columns):
                parsed.row_errors[number] = [
                    ("", _("This row has more cells than the header has columns."))
                ]
            cells = cells + [""] * (len(columns) - len(cells))
            parsed.rows.append(
                (number, {c: _cell(v) for c, v in zip(columns, cells, strict=False) if c})
            )
    except csv.Error as exc:
        raise ImportFileError(
            _("The file is not a valid CSV file (%(reason)s).") % {"reason": exc}
        ) from None
    if not parsed.rows:
        raise ImportFileError(_("The file has a header but no rows."))
    return parsed


def _cell(value: str) -> str:
    """A cell's text, without the quote the export puts before a would-be formula."""
    value = value.strip()
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def _check_header(columns: list[str], tenant: Tenant) -> None:
    if not any(columns):
        raise ImportFileError(_("The first row must name the columns."))
    known = set(known_columns(tenant)) | set(IGNORED_COLUMNS)
    unknown = [c for c in columns if c and c not in known]
    if unknown:
        raise ImportFileError(
            _("Unknown columns: %(names)s. Use the column names of the export.")
            % {"names": ", ".join(unknown[:10])}
        )
    doubled = sorted({c for c in columns if c and columns.count(c) > 1})
    if doubled:
        raise ImportFileError(
            _("These columns appear twice: %(names)s.") % {"names": ", ".join(doubled)}
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise ImportFileError(
            _("The file needs the columns %(names)s.") % {"names": ", ".join(missing)}
        )


# --- turning a row into a hire ------------------------------------------------------------


@dataclass
class Lookups:
    """Names and numbers of the company, read once per import (not once per row)."""

    departments: dict[str, int]
    teams: dict[str, int]
    numbers: dict[str, int]  # employee number -> pk, including rows created so far

    @classmethod
    def of(cls, tenant: Tenant) -> Lookups:
        return cls(
            departments={
                n.casefold(): pk
                for n, pk in Department.objects.for_tenant(tenant).values_list("name", "pk")
            },
            teams={
                n.casefold(): pk
                for n, pk in Team.objects.for_tenant(tenant).values_list("name", "pk")
            },
            numbers=dict(Employee.objects.for_tenant(tenant).values_list("employee_number", "pk")),
        )


ADDRESS_STREET = re.compile(r"^(?P<street>.*?\S)\s+(?P<number>\d\S*)$")
ADDRESS_PLACE = re.compile(r"^(?P<postal_code>\S*\d\S*)\s+(?P<city>.+)$")


def parse_address(text: str) -> dict[str, str]:
    """The export's one-line address ("Meir 1, 2000 Antwerpen, BE") as its parts."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) not in (2, 3):
        raise ValidationError(_("Write the address as “street number, postal code city, country”."))
    street = ADDRESS_STREET.match(parts[0])
    place = ADDRESS_PLACE.match(parts[1])
    return {
        "street": street["street"] if street else parts[0],
        "number": street["number"] if street else "",
        "postal_code": place["postal_code"] if place else "",
        "city": place["city"] if place else parts[1],
        "country": parts[2].upper() if len(parts) == 3 else "",
    }


def hire_data(
    values: Mapping[str, str], lookups: Lookups
) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The `hire_employee` input of one row, and the errors found before the service runs
    (unknown department, team or manager)."""
    errors: list[tuple[str, str]] = []
    data: dict[str, Any] = {}
    for name in EMPLOYEE_COLUMNS:
        value = values.get(name, "")
        if not value:
            continue
        if name == "address":
            try:
                data[name] = parse_address(value)
            except ValidationError as exc:
                errors.append((name, exc.messages[0]))
        else:
            data[name] = value
    employment: dict[str, Any] = {
        name: values[name]
        for name in (
            "job_title",
            "contract_type",
            "start_date",
            "end_date",
            "probation_end_date",
            "hours_per_week",
        )
        if values.get(name)
    }
    for name, table, message in (
        ("department", lookups.departments, _("There is no department named “%(value)s”.")),
        ("team", lookups.teams, _("There is no team named “%(value)s”.")),
    ):
        if values.get(name):
            pk = table.get(values[name].casefold())
            if pk is None:
                errors.append((name, message % {"value": values[name]}))
            else:
                employment[name] = pk
    if values.get("manager_number"):
        manager = lookups.numbers.get(values["manager_number"])
        if manager is None:
            errors.append(
                (
                    "manager_number",
                    _("There is no employee with number “%(value)s”.")
                    % {"value": values["manager_number"]},
                )
            )
        else:
            employment["manager"] = manager
    data["employment"] = employment
    if values.get("wage_amount"):  # currency and period alone (a template's defaults): no wage
        data["wage"] = {
            "amount": values.get("wage_amount", ""),
            "currency": values.get("wage_currency", ""),
            "period": values.get("wage_period", ""),
        }
    custom = {
        key[len(CUSTOM_PREFIX) :]: value
        for key, value in values.items()
        if key.startswith(CUSTOM_PREFIX) and value
    }
    if custom:
        data["custom_fields"] = custom
    return data, errors


def column_of(error_key: str) -> str:
    """The file's column for a key of the service's ValidationError."""
    if error_key == NON_FIELD_ERRORS:
        return ""
    section, _dot, name = error_key.partition(".")
    if not name:
        return section
    if section == "employment":
        return "manager_number" if name == "manager" else name
    if section == "wage":
        return "start_date" if name == "effective_from" else f"wage_{name}"
    if section == "custom_fields":
        return CUSTOM_PREFIX + name
    return error_key


# --- running it ---------------------------------------------------------------------------


@dataclass
class RowResult:
    row: int
    name: str
    employee_number: str
    errors: list[tuple[str, str]]

    @property
    def ok(self) -> bool:
        return not self.errors

    def error_lines(self) -> list[str]:
        return [
            _("row %(row)d: %(column)s: %(message)s")
            % {"row": self.row, "column": column, "message": message}
            if column
            else _("row %(row)d: %(message)s") % {"row": self.row, "message": message}
            for column, message in self.errors
        ]


@dataclass
class ImportResult:
    rows: list[RowResult]
    committed: bool

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed


class _RowRejected(Exception):
    """Roll back one row's savepoint: the service accepted it, the import did not."""


def _assign_numbers(parsed: ParsedFile, lookups: Lookups) -> dict[int, list[tuple[str, str]]]:
    """Give rows without an employee number the next free ones (as hiring does, without
    re-reading every number for every row) and find numbers used twice in the file."""
    errors: dict[int, list[tuple[str, str]]] = {}
    first_row: dict[str, int] = {}
    for row, values in parsed.rows:
        number = values.get("employee_number", "")
        if not number:
            continue
        if number in first_row:
            errors.setdefault(row, []).append(
                (
                    "employee_number",
                    _("Row %(row)d has the same employee number.") % {"row": first_row[number]},
                )
            )
        else:
            first_row[number] = row
    used = set(lookups.numbers) | set(first_row)
    highest = max((int(n) for n in used if n.isdigit()), default=0)
    for _row, values in parsed.rows:
        if not values.get("employee_number"):
            highest += 1
            while f"{highest:05d}" in used:
                highest += 1
            values["employee_number"] = f"{highest:05d}"
            used.add(values["employee_number"])
    return errors


def run_import(
    actor: Actor, tenant: Tenant, parsed: ParsedFile, *, commit: bool, source: str = ""
) -> ImportResult:
    """Hire every row. `commit=False` is the preview: everything is rolled back. With
    `commit=True` all rows are kept, or none when any row fails."""
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))
    if not can_for(actor, "people.edit"):
        raise PermissionDenied(_("You do not have permission to do this."))
    vault.ensure_tenant_key(tenant.pk)  # made (and committed) outside the rolled-back work
    results: list[RowResult] = []
    with transaction.atomic():
        lookups = Lookups.of(tenant)
        early = _assign_numbers(parsed, lookups)
        for row, values in parsed.rows:
            errors = [*parsed.row_errors.get(row, []), *early.get(row, [])]
            results.append(_import_row(actor, tenant, row, values, lookups, errors))
        committed = commit and all(r.ok for r in results)
        if committed:
            record(
                actor,
                "people.imported",
                tenant=tenant,
                object_type="people.employee",
                object_repr="people import",
                changes={
                    "rows": len(results),
                    "columns": list(parsed.columns),
                    "source": source[:100],
                },
            )
        else:
            transaction.set_rollback(True)
    return ImportResult(results, committed)


def _import_row(
    actor: Actor,
    tenant: Tenant,
    row: int,
    values: dict[str, str],
    lookups: Lookups,
    errors: list[tuple[str, str]],
) -> RowResult:
    data, found = hire_data(values, lookups)
    errors = [*errors, *found]
    employee: Employee | None = None
    try:
        with transaction.atomic():
            employee = services.hire_employee(actor, tenant, data)
            if errors:
                raise _RowRejected
    except ValidationError as exc:
        employee = None
        for key, messages in exc.message_dict.items():
            errors += [(column_of(key), m) for m in messages]
    except _RowRejected:
        employee = None
    except IntegrityError:
        employee = None
        errors.append(("", _("This row conflicts with data saved meanwhile; try again.")))
    if employee is not None:
        lookups.numbers[employee.employee_number] = employee.pk
    name = " ".join(x for x in (values.get("first_name"), values.get("last_name")) if x)
    return RowResult(row, name, values.get("employee_number", ""), _ordered(errors, values))


def _ordered(errors: list[tuple[str, str]], values: Mapping[str, str]) -> list[tuple[str, str]]:
    """Errors in the file's column order, each once."""
    order = {c: i for i, c in enumerate(values)}
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: order.get(e[0], -1 if not e[0] else len(order)))
