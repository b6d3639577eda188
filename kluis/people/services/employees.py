"""Writes to an employee's own record: hiring, editing, emergency contacts. Each service
authorises, validates, writes in one transaction, keeps a version for the history, records
an audit event (sensitive values masked) and emits a thin domain event."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.crypto import vault
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.fields import (
    DEFAULT_SELF_EDITABLE,
    EMPLOYEE_FIELDS,
)
from kluis.people.models import (
    Employee,
    EmployeeStatus,
    Employment,
    Gender,
    PeopleSettings,
)
from kluis.people.permissions import can_on, is_self
from kluis.people.records import (
    SENSITIVE_FIELDS,
    plain_values,
    seal_value,
    sealed_value,
)
from kluis.people.services._held import hold_bank_change
from kluis.people.services._kit import (
    require_company,
    same_company,
    shown,
    snapshot,
)
from kluis.people.services.contracts import (
    apply_current_job,
    clean_employment,
    emit_left,
    last_employment,
    probation_snapshot,
    probation_version,
)
from kluis.people.services.custom_fields import clean_custom_values
from kluis.people.services.pay import clean_wage, create_wage, emit_wage_set
from kluis.tenancy.models import Membership, Tenant


class StaleVersionError(Exception):
    """Someone else saved the record since it was loaded: reload instead of overwriting."""

    def __init__(self, employee: Employee) -> None:
        when = timezone.localtime(employee.updated_at).strftime("%Y-%m-%d %H:%M")
        super().__init__(
            _("%(name)s was changed by %(who)s at %(when)s; reload the page and try again.")
            % {"name": employee.display_name, "who": employee.updated_by or "someone", "when": when}
        )
        self.employee = employee


# --- validation of employee field values --------------------------------------------------


def _clean_field(name: str, value: Any, *, country: str) -> Any:
    spec = EMPLOYEE_FIELDS[name]
    if name == "status":
        return v.choice(value, {c.value for c in EmployeeStatus})
    if name == "gender":
        return v.choice(value or "", {c.value for c in Gender})
    if name in ("first_name", "last_name"):
        return v.person_name(value, max_length=100, required=True)
    if name == "preferred_name":
        return v.person_name(value, max_length=100)
    if name == "employee_number":
        return v.text(value, max_length=30, required=True)
    kind = spec.kind
    if kind == "email":
        return v.email(value)
    if kind == "phone":
        return v.phone(value, region=country)
    if kind == "date":
        return v.birth_date(value)
    if kind == "country":
        return v.country(value)
    if kind == "national_id":
        return v.detect_national_id(value)[1] if value else ""
    if kind == "iban":
        return v.iban(value)
    if kind == "address":
        return v.address(value)
    return v.text(value, max_length=100)


def _clean_employee_values(
    data: Mapping[str, Any], *, allowed: set[str], country: str
) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(clean values, errors by field) for the employee fields in `data`."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name == "custom_fields":
            continue
        if name not in EMPLOYEE_FIELDS or not EMPLOYEE_FIELDS[name].editable:
            errors[name] = [_("This field cannot be set here.")]
            continue
        if name not in allowed:
            errors[name] = [_("You may not change this field.")]
            continue
        try:
            clean[name] = _clean_field(name, value, country=country)
        except ValidationError as exc:
            errors[name] = exc.messages
    return clean, errors


def _clean_employee_data(
    data: Mapping[str, Any], *, allowed: set[str], country: str
) -> dict[str, Any]:
    clean, errors = _clean_employee_values(data, allowed=allowed, country=country)
    if errors:
        raise ValidationError(errors)
    return clean


# --- employees ---------------------------------------------------------------------------

HIRE_FIELDS = {name for name, spec in EMPLOYEE_FIELDS.items() if spec.editable}


def _next_employee_number(tenant: Tenant) -> str:
    numbers = Employee.objects.for_tenant(tenant).values_list("employee_number", flat=True)
    highest = max((int(n) for n in numbers if n.isdigit()), default=0)
    return f"{highest + 1:05d}"


@dataclass
class _Hire:
    clean: dict[str, Any]
    custom: dict[str, Any]
    employment: dict[str, Any]
    wage: dict[str, Any] | None
    membership: Membership | None


def _prepare_hire(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> _Hire:
    """Authorise and validate a hire; every field's refusal at once, nothing written."""
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    fields = {k: v_ for k, v_ in data.items() if k not in {"employment", "wage", "membership"}}
    fields.setdefault("status", EmployeeStatus.ACTIVE)
    if not fields.get("employee_number"):
        fields["employee_number"] = _next_employee_number(tenant)
    clean, errors = _clean_employee_values(fields, allowed=HIRE_FIELDS, country="BE")
    for required in ("first_name", "last_name"):
        if required not in clean and required not in errors:
            errors[required] = [_("This field is required.")]
    custom: dict[str, Any] = {}
    try:
        custom = clean_custom_values(tenant, data.get("custom_fields") or {}, {}, hiring=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    employment: dict[str, Any] = {}
    try:
        employment = clean_employment(
            tenant, data.get("employment") or {}, employee=None, born=clean.get("birth_date")
        )
    except ValidationError as exc:
        errors.update({f"employment.{k}": m for k, m in exc.message_dict.items()})
    wage: dict[str, Any] | None = None
    if data.get("wage"):
        try:
            wage = clean_wage(data["wage"])
            wage.setdefault("effective_from", employment.get("start_date"))
        except ValidationError as exc:
            errors.update({f"wage.{k}": m for k, m in exc.message_dict.items()})
    membership: Membership | None = data.get("membership")
    if membership is not None and membership.tenant_id != tenant.pk:
        errors["membership"] = [_("That login belongs to another company.")]
    if errors:
        raise ValidationError(errors)
    return _Hire(clean, custom, employment, wage, membership)


def _lock_numbering(tenant: Tenant) -> None:
    """Hold the company's employee numbering until the transaction ends, so that two hires
    at once (two nodes, two threads) neither take the same next number nor both pass the
    "number taken" check. PostgreSQL: a transaction-level advisory lock per company (no
    row is locked, so nothing else can deadlock with it); SQLite runs one write transaction
    at a time already."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(
            hashlib.blake2b(f"people.employee_number:{tenant.pk}".encode(), digest_size=8).digest(),
            "big",
            signed=True,
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


def _number_taken(tenant: Tenant, number: str) -> bool:
    return Employee.objects.for_tenant(tenant).filter(employee_number=number).exists()


def check_hire(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> None:
    """What `hire_employee` would refuse, without writing anything (the hire form's "Check
    and save" summary): raises the same ValidationError / PermissionDenied."""
    hire = _prepare_hire(actor, tenant, data)
    if data.get("employee_number") and _number_taken(tenant, hire.clean["employee_number"]):
        raise ValidationError({"employee_number": [_("Another employee has this number.")]})


def hire_employee(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> Employee:
    """A new employee with a first contract (and optionally a first wage).

    `data` holds employee fields, `custom_fields`, `employment` (contract fields),
    optionally `wage` ({amount, currency, period}) and `membership` (a Membership to link).
    """
    hire = _prepare_hire(actor, tenant, data)
    clean, custom, employment, wage, membership = (
        hire.clean,
        hire.custom,
        hire.employment,
        hire.wage,
        hire.membership,
    )
    with transaction.atomic():
        _lock_numbering(tenant)
        if not data.get("employee_number"):
            # Again, under the lock: another hire may have taken the number meanwhile.
            clean["employee_number"] = _next_employee_number(tenant)
        if _number_taken(tenant, clean["employee_number"]):
            raise ValidationError({"employee_number": [_("Another employee has this number.")]})
        if data.get("custom_fields"):
            # Again, under the definitions' locks: one may have changed since.
            custom = clean_custom_values(tenant, data["custom_fields"], {}, hiring=True)
        employee = Employee(tenant=tenant, membership=membership, updated_by=actor.label[:254])
        for name, value in clean.items():
            if EMPLOYEE_FIELDS[name].sealed:
                continue
            setattr(employee, name, value)
        employee.custom_fields = custom
        for name in ("national_id", "iban", "address"):
            if name in clean:
                seal_value(employee, name, clean[name])
        if clean.get("national_id"):
            employee.national_id_index = vault.blind_index(
                tenant.pk, "people.national_id", clean["national_id"]
            )
        employee.save()
        contract = Employment.objects.create(tenant=tenant, employee=employee, **employment)
        apply_current_job(employee)
        first_wage = create_wage(employee, wage) if wage is not None else None
        probation = employment["probation_end_date"]
        snapshot(
            employee,
            actor,
            "employee",
            [*sorted(clean), "employment", *probation_version(None, probation)],
            {},
            contract=probation_snapshot(probation),
        )
        record(
            actor,
            "employee.hired",
            tenant=tenant,
            target=employee,
            changes=diff(
                {},
                {
                    **{k: shown(k, val) for k, val in clean.items()},
                    "start_date": employment["start_date"].isoformat(),
                    **({"probation_end_date": probation.isoformat()} if probation else {}),
                },
                sensitive=SENSITIVE_FIELDS,
            ),
        )
        emit("employee.created", tenant=tenant, target=employee)
        emit(
            "employment.created", tenant=tenant, target=contract, payload={"employee": employee.pk}
        )
        if first_wage is not None:
            emit_wage_set(employee, first_wage)
    return employee


def editable_fields(actor: Actor, employee: Employee) -> set[str]:
    """Fields this actor may change on this employee: HR all editable fields; the employee
    themselves what the company allows for self-service."""
    if actor.is_system:
        return set(HIRE_FIELDS) | {"custom_fields"}
    from kluis.access.permissions import Scope
    from kluis.people.permissions import scope_of

    scope = scope_of(actor, "people.edit")
    if scope == Scope.COMPANY or (
        scope == Scope.TEAM
        and can_on(actor, "people.edit", employee)
        and not is_self(actor, employee)
    ):
        allowed = set(HIRE_FIELDS) | {"custom_fields"}
    elif is_self(actor, employee):
        allowed = set(self_editable(employee.tenant))
    else:
        return set()
    # Never change what one may not even read.
    return {
        f
        for f in allowed
        if f in {"custom_fields", "emergency_contacts", "photo"}
        or can_on(actor, EMPLOYEE_FIELDS[f].permission, employee)
    }


def _check_birth_against_contracts(employee: Employee, born: Any) -> None:
    """A birth date may not make the first contract start before the person turned 14."""
    first = Employment.objects.filter(employee=employee).order_by("start_date").first()
    if first is None:
        return
    try:
        v.start_date(first.start_date, born=born)
    except ValidationError:
        raise ValidationError(
            {
                "birth_date": [
                    _("With this birth date the first contract (%(day)s) starts before 14.")
                    % {"day": first.start_date.isoformat()}
                ]
            }
        ) from None


def self_editable(tenant: Tenant) -> list[str]:
    settings_row = PeopleSettings.objects.for_tenant(tenant).first()
    return list(settings_row.self_editable_fields) if settings_row else list(DEFAULT_SELF_EDITABLE)


def update_employee(
    actor: Actor, employee: Employee, data: Mapping[str, Any], *, expected_version: int
) -> Employee:
    """Change fields of an employee; refused when someone else saved in between."""
    same_company(actor, employee.tenant_id)
    allowed = editable_fields(actor, employee)
    if not allowed:
        raise PermissionDenied(_("You do not have permission to do this."))
    if (
        "iban" in data
        and is_self(actor, employee)
        and not actor.is_system
        and not getattr(actor, "reauthenticated", False)
    ):
        raise PermissionDenied(_("Confirm your password to change your bank account."))
    fields = {k: val for k, val in data.items() if k != "custom_fields"}
    clean = _clean_employee_data(fields, allowed=allowed, country="BE")
    custom_input = data.get("custom_fields") or {}
    if custom_input and "custom_fields" not in allowed:
        raise ValidationError({"custom_fields": [_("You may not change this field.")]})
    if "iban" in clean and not is_self(actor, employee):
        # Someone else's bank account: the company may hold the edit for a second approver.
        fresh = Employee.objects.for_tenant(employee.tenant_id).select_related("tenant")
        seen = fresh.get(pk=employee.pk)
        if seen.version != expected_version:
            raise StaleVersionError(seen)
        hold_bank_change(actor, seen, clean, custom_input)
    with transaction.atomic():
        current = (
            Employee.objects.for_tenant(employee.tenant_id)
            .select_for_update(of=("self",))
            .select_related("tenant", "department", "team", "manager")
            .get(pk=employee.pk)
        )
        if current.version != expected_version:
            raise StaleVersionError(current)
        if clean.get("birth_date"):
            _check_birth_against_contracts(current, clean["birth_date"])
        custom = (
            clean_custom_values(
                current.tenant, custom_input, dict(current.custom_fields), hiring=False
            )
            if custom_input
            else current.custom_fields
        )
        before_plain = plain_values(current)
        before_sealed = {
            name: sealed_value(current, name) for name in ("national_id", "iban", "address")
        }
        changed: list[str] = []
        for name, value in clean.items():
            if EMPLOYEE_FIELDS[name].sealed:
                if before_sealed[name] != value:
                    seal_value(current, name, value)
                    changed.append(name)
                    if name == "national_id":
                        current.national_id_index = (
                            vault.blind_index(current.tenant_id, "people.national_id", value)
                            if value
                            else ""
                        )
            elif getattr(current, name) != value:
                setattr(current, name, value)
                changed.append(name)
        if custom != current.custom_fields:
            changed.append("custom_fields")
            current.custom_fields = custom
        if not changed:
            return current
        if (
            "employee_number" in changed
            and Employee.objects.for_tenant(current.tenant_id)
            .filter(employee_number=current.employee_number)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError({"employee_number": [_("Another employee has this number.")]})
        # The row is locked (and its version checked) since it was read: the next version
        # is known without reading it back.
        current.version += 1
        current.updated_by = actor.label[:254]
        current.save()
        snapshot(current, actor, "employee", sorted(changed), before_plain)
        after_plain = plain_values(current)
        before = {k: before_plain.get(k) for k in changed if k not in SENSITIVE_FIELDS}
        after = {k: after_plain.get(k) for k in changed if k not in SENSITIVE_FIELDS}
        for name in changed:
            if name in SENSITIVE_FIELDS:
                before[name], after[name] = "old", "new"
        record(
            actor,
            "employee.updated",
            tenant=current.tenant,
            target=current,
            changes=diff(before, after, sensitive=SENSITIVE_FIELDS),
        )
        emit(
            "employee.updated",
            tenant=current.tenant,
            target=current,
            payload={"fields": sorted(changed), "version": current.version},
        )
        if "status" in changed and current.status == EmployeeStatus.LEFT:
            # Marked as left: their departure, unless ending their last contract said so.
            emit_left(current, last_employment(current))
        if "iban" in changed and is_self(actor, current):
            from kluis.people.notifications import notify_hr_of_bank_change

            notify_hr_of_bank_change(current)
    return current
