"""`/api/v1/employees/`: what a client sees of an employee and sends, a declared resource
(EMPLOYEES, kluis/api/declared.py). A field whose permission the client's scopes
lack is absent from the response, not null. There is no DELETE: people leave by status
`left`."""

from __future__ import annotations

import datetime as dt
import functools
import re
from decimal import Decimal
from typing import Any

import django_filters
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.api.views import Sealed
from kluis.people import selectors, services
from kluis.people.fields import EMPLOYEE_FIELDS, VISIBILITY
from kluis.people.models import (
    ContractType,
    CustomFieldDefinition,
    Employee,
    EmployeeStatus,
    Gender,
    WagePeriod,
)
from kluis.people.permissions import scoped
from kluis.people.records import open_sealed
from kluis.people.services.custom_fields import possible_keys
from kluis.tenancy.models import Tenant

ALWAYS = ("id", "version", "created_at", "updated_at")
OPENED = {"wage", *(name for name, spec in EMPLOYEE_FIELDS.items() if spec.sealed)}
EDITABLE = [name for name, spec in EMPLOYEE_FIELDS.items() if spec.editable]


def _scope_note(field: str) -> str:
    group = EMPLOYEE_FIELDS[field].group
    return {
        "personal": "Only with scope personal:read.",
        "identity": "Only with scope identity:read; reading it is audited.",
        "bank": "Only with scope identity:read; reading it is audited.",
        "salary": "Only with scope wages:read.",
    }.get(group, "")


class AddressSerializer(StrictSerializer):
    street = serializers.CharField(required=False, allow_blank=True, max_length=120)
    number = serializers.CharField(required=False, allow_blank=True, max_length=120)
    postal_code = serializers.CharField(required=False, allow_blank=True, max_length=120)
    city = serializers.CharField(required=False, allow_blank=True, max_length=120)
    country = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="ISO 3166-1 alpha-2"
    )


class WageSerializer(StrictSerializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Gross")
    currency = serializers.CharField(help_text="ISO 4217")
    period = serializers.ChoiceField(choices=WagePeriod.choices)
    effective_from = serializers.DateField()


# The JSON a custom field's value takes, by its type: the same rule as for the built-in
# fields (rest/serializers.py), so "yes" for a boolean or 5 for a text is a 422, not a
# guess. A number comes back as a decimal string; a JSON number is taken too.
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"-?\d+(\.\d+)?")
_Kind = CustomFieldDefinition.FieldType


def custom_value_type_error(kind: str | None, value: Any) -> str | None:
    if value is None or kind is None:
        return None  # null clears; an unknown key is the service's error
    if kind == _Kind.BOOLEAN:
        return None if isinstance(value, bool) else "Give true or false."
    if kind == _Kind.NUMBER:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        if isinstance(value, str) and _DECIMAL.fullmatch(value):
            return None
        return 'Give a number, e.g. 42 or "42.5".'
    if kind == _Kind.DATE:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            return None
        return "Give a date as YYYY-MM-DD."
    return None if isinstance(value, str) else "Give a text."


class CustomFieldsField(serializers.DictField):
    """`{"key": value}`; each value of the JSON type its definition's type takes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(child=serializers.JSONField(allow_null=True), **kwargs)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        values: dict[str, Any] = super().to_internal_value(data)
        tenant = self.context.get("tenant")
        if tenant is None or not values:
            return values
        kinds = dict(
            CustomFieldDefinition.objects.for_tenant(tenant)
            .filter(key__in=possible_keys(values))
            .values_list("key", "field_type")
        )
        errors = {
            key: [message]
            for key, value in values.items()
            if (message := custom_value_type_error(kinds.get(key), value))
        }
        if errors:
            raise serializers.ValidationError(errors)
        return values


def _custom_fields_field() -> serializers.DictField:
    return CustomFieldsField(
        required=False,
        help_text="Values of the company's custom fields (/api/v1/custom-fields/), by key: "
        'text, number (read as a decimal string such as "42.5"; a JSON number is taken too), '
        "date (YYYY-MM-DD), choice (one of its choices) or boolean (true/false). Another JSON "
        "type is a 422. On a change only the keys sent change; null clears one.",
    )


class EmployeeSerializer(StrictSerializer):
    """An employee as the API returns it. Which fields are present depends on the scopes."""

    id = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, required=False, help_text="Increases with every change; send it back."
    )
    created_at = serializers.DateTimeField(read_only=True, required=False)
    updated_at = serializers.DateTimeField(read_only=True, required=False)
    employee_number = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=EmployeeStatus.choices, required=False)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    preferred_name = serializers.CharField(required=False, allow_blank=True)
    work_email = serializers.EmailField(required=False, allow_blank=True)
    work_phone = serializers.CharField(required=False, allow_blank=True, help_text="E.164")
    job_title = serializers.CharField(required=False, allow_blank=True)
    department = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    manager = serializers.IntegerField(required=False, allow_null=True, help_text="Employee id")
    private_email = serializers.EmailField(
        required=False, allow_blank=True, help_text=_scope_note("private_email")
    )
    private_phone = serializers.CharField(
        required=False, allow_blank=True, help_text=_scope_note("private_phone")
    )
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text=_scope_note("birth_date")
    )
    nationality = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="ISO 3166-1 alpha-2. " + _scope_note("nationality"),
    )
    gender = serializers.ChoiceField(
        choices=Gender.choices, required=False, allow_blank=True, help_text=_scope_note("gender")
    )
    address = AddressSerializer(required=False, help_text=_scope_note("address"))
    national_id = serializers.CharField(
        required=False, allow_blank=True, help_text=_scope_note("national_id")
    )
    iban = serializers.CharField(required=False, allow_blank=True, help_text=_scope_note("iban"))
    wage = WageSerializer(
        required=False,
        allow_null=True,
        help_text="The wage in force today (null: none). Only with scope wages:read; "
        "reading it is audited.",
    )
    custom_fields = _custom_fields_field()


class EmploymentWriteSerializer(StrictSerializer):
    contract_type = serializers.ChoiceField(choices=ContractType.choices, required=False)
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True)
    probation_end_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The last day of the probation period: on or after start_date, "
        "not after end_date",
    )
    hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, coerce_to_string=False
    )
    job_title = serializers.CharField(max_length=150)
    cost_centre = serializers.CharField(required=False, allow_blank=True, max_length=30)
    department = serializers.IntegerField(required=False, allow_null=True)
    team = serializers.IntegerField(required=False, allow_null=True)
    manager = serializers.IntegerField(required=False, allow_null=True)


def _write_field(name: str) -> serializers.Field:
    if name == "address":
        return AddressSerializer(required=False)
    if name == "birth_date":
        return serializers.DateField(required=False, allow_null=True)
    return serializers.CharField(required=False, allow_blank=True, max_length=254)


class EmployeeUpdateSerializer(StrictSerializer):
    """Fields to change; absent fields stay as they are. Job data changes with a contract."""

    version = serializers.IntegerField(
        required=False, help_text="The version you read; alternative to If-Match."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for name in EDITABLE:
            fields[name] = _write_field(name)
        fields["custom_fields"] = _custom_fields_field()
        return fields


class EmployeeCreateSerializer(EmployeeUpdateSerializer):
    """A new employee and their first contract."""

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        fields.pop("version")
        fields["first_name"] = serializers.CharField(max_length=100)
        fields["last_name"] = serializers.CharField(max_length=100)
        fields["employment"] = EmploymentWriteSerializer()
        return fields


EMPLOYEE_EXAMPLE = {
    "id": 42,
    "version": 3,
    "created_at": "2026-01-05T09:00:00Z",
    "updated_at": "2026-03-01T14:12:00Z",
    "employee_number": "00042",
    "status": "active",
    "first_name": "Anna",
    "last_name": "Peeters",
    "preferred_name": "",
    "work_email": "anna.peeters@example.com",
    "work_phone": "+3225550101",
    "job_title": "Payroll officer",
    "department": 2,
    "team": 5,
    "manager": 7,
    "custom_fields": {"shirt_size": "M"},
}
CREATE_EXAMPLE = {
    "first_name": "Anna",
    "last_name": "Peeters",
    "work_email": "anna.peeters@example.com",
    "employment": {"start_date": "2026-04-01", "job_title": "Payroll officer"},
}


# The column behind each field shown as stored; job fields are links, given as ids.
COLUMNS = {
    **{name: name for name in ALWAYS},
    **{
        name: f"{name}_id" if name in ("department", "team", "manager") else name
        for name, spec in EMPLOYEE_FIELDS.items()
        if not spec.sealed
    },
    "custom_fields": "custom_fields",
}
# Fields whose opening is audited: identity and bank numbers, the wage.
AUDITED = frozenset(
    {"wage"}
    | {
        name
        for name, spec in EMPLOYEE_FIELDS.items()
        if spec.sealed and spec.sensitive and spec.group != "personal"
    }
)


def _open_sealed(name: str, tenant_id: int, token: str | None) -> Any:
    return open_sealed(tenant_id, name, token)


def show_rows(
    actor: Actor, employees: list[Employee], only: set[str] | None
) -> list[dict[str, Any]]:
    """What this reader sees of each employee (a member's own record, their reports' and
    others' differ), the opening of sealed values and wages audited once."""
    rows = selectors.profiles(actor, employees, only=only)
    out = []
    for employee, values in zip(employees, rows, strict=True):
        row: dict[str, Any] = {
            name: getattr(employee, name) for name in ALWAYS if only is None or name in only
        }
        # The plain fields, custom fields, then what was opened (the wage, sealed
        # fields): the order of a page written by the database.
        row.update((k, v) for k, v in values.items() if k not in OPENED)
        if only is None or "custom_fields" in only:
            row["custom_fields"] = dict(employee.custom_fields or {})
        row.update((k, v) for k, v in values.items() if k in OPENED)
        out.append(row)
    return out


def open_wage(tenant_id: int, stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The wage in force as `selectors.wage_in_force` gives it, its amount opened."""
    if stored is None:
        return None
    return {
        "amount": str(Decimal(selectors.open_wage_amount(tenant_id, stored["amount_sealed"]))),
        "currency": stored["currency"],
        "period": stored["period"],
        "effective_from": dt.date.fromisoformat(stored["effective_from"]),
    }


def audit_page(actor: Actor, rows: list[Any]) -> None:
    """One audit event for a database-written page that opened identity or bank numbers
    or wages: the fields and the employees whose values were opened."""
    fields: set[str] = set()
    employees: list[tuple[int, str]] = []
    for row in rows:
        opened = {name for name in AUDITED if getattr(row, name, None)}
        if opened:
            fields |= opened
            first = row.preferred_name or row.first_name
            employees.append((row.id, f"{first} {row.last_name}".strip()))
    assert actor.tenant is not None
    selectors.audit_opened(actor, actor.tenant, fields, employees)


def _rows(actor: Actor) -> Any:
    # Linked job fields are given as ids: no department, team or manager rows to load,
    # and no company row per employee (the client's own is at hand).
    return scoped(actor, "people.view", Employee.objects.all())


def _hire(actor: Actor, tenant: Tenant, data: dict[str, Any]) -> Employee:
    data["employment"] = dict(data.pop("employment"))
    employee = services.hire_employee(actor, tenant, data)
    return selectors.employee_for(actor, employee.pk)


EMPLOYEES = Declaration(
    prefix="employees",
    singular="employee",
    model=Employee,
    serializer=EmployeeSerializer,
    columns=COLUMNS,
    about=(
        "The employees of the client's company. A field whose permission the client's "
        "scopes lack is absent from the response, not null. There is no DELETE: people "
        "leave by status `left`."
    ),
    read="people.view",
    write="people.edit",
    # What reveals each field: the one policy every reader applies (kluis/access/
    # visibility.py, declared in kluis/people/fields.py), for the fields the API shows.
    revealed_by={
        name: permission
        for name, permission in VISIBILITY["people.employee"].items()
        if name in EmployeeSerializer._declared_fields and permission != "plain"
    },
    # The wage in force today, then the sealed fields: the order `show_rows` gives them.
    sealed={
        "wage": Sealed("wage", open_wage, expression=selectors.wage_in_force),
        **{
            name: Sealed(f"{name}_sealed", functools.partial(_open_sealed, name))
            for name, spec in EMPLOYEE_FIELDS.items()
            if spec.sealed
        },
    },
    opening_columns=selectors.OPENING_COLUMNS,
    audited=AUDITED,
    audit_read=audit_page,
    represent_rows=show_rows,
    rows=_rows,
    versioned=True,
    filters={
        "status": django_filters.ChoiceFilter(choices=EmployeeStatus.choices),
        "team": django_filters.NumberFilter(field_name="team_id"),
        "updated_since": django_filters.IsoDateTimeFilter(
            field_name="updated_at", lookup_expr="gte"
        ),
    },
    orderings=("id", "last_name", "first_name", "employee_number", "created_at", "updated_at"),
    create=_hire,
    change=services.update_employee,
    create_serializer=EmployeeCreateSerializer,
    change_serializer=EmployeeUpdateSerializer,
    replace=False,
    events=(
        "employee.created",
        "employment.created",
        "wage.created",
        "wage.changed",
        "employee.updated",
        "employee.left",
    ),
    example=EMPLOYEE_EXAMPLE,
    create_example=CREATE_EXAMPLE,
    change_example=("Change the work phone", {"work_phone": "+3225550199", "version": 3}),
    summaries={"create": "Hire an employee"},
    lookup_name="pk",
    fields_example="first_name,last_name,status",
)
