"""Every write to the HR file. Each service authorises, validates, writes in one
transaction, keeps a version for the history, records an audit event (sensitive values
masked) and emits a thin domain event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
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
    SELF_EDITABLE_CHOICES,
    WAGE_COMPONENT_PURPOSE,
    WAGE_PURPOSE,
)
from kluis.people.models import (
    ContractType,
    CustomFieldDefinition,
    Department,
    EmergencyContact,
    Employee,
    EmployeeStatus,
    EmployeeVersion,
    Employment,
    Gender,
    PeopleSettings,
    Team,
    Wage,
    WageComponent,
    WagePeriod,
)
from kluis.people.permissions import authorize_on, can_on, is_self
from kluis.people.records import (
    SENSITIVE_FIELDS,
    plain_values,
    seal_snapshot,
    seal_value,
    sealed_value,
    sensitive_values,
)
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


def _same_company(actor: Actor, tenant: Tenant) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))


def _require_company(actor: Actor, permission: str) -> None:
    from kluis.access.authorization import authorize

    authorize(actor, permission)


# --- validation of employee field values --------------------------------------------------


def _clean_field(name: str, value: Any, *, country: str) -> Any:
    spec = EMPLOYEE_FIELDS[name]
    if name == "status":
        return v.choice(value, {c.value for c in EmployeeStatus})
    if name == "gender":
        return v.choice(value or "", {c.value for c in Gender})
    if name in ("first_name", "last_name"):
        return v.text(value, max_length=100, required=True)
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


def _clean_custom(
    tenant: Tenant, values: Mapping[str, Any], current: dict[str, Any]
) -> dict[str, Any]:
    definitions = {
        d.key: d for d in CustomFieldDefinition.objects.filter(tenant=tenant, is_active=True)
    }
    result = dict(current)
    errors: dict[str, list[str]] = {}
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = [_("There is no custom field %(key)s.") % {"key": key}]
            continue
        try:
            result[key] = _clean_custom_value(definition, raw)
        except ValidationError as exc:
            errors[f"custom_fields.{key}"] = exc.messages
    for key, definition in definitions.items():
        if definition.required and result.get(key) in (None, ""):
            errors.setdefault(f"custom_fields.{key}", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    return result


def _clean_custom_value(definition: CustomFieldDefinition, raw: Any) -> Any:
    if raw in (None, ""):
        return None
    kind = definition.field_type
    if kind == CustomFieldDefinition.FieldType.NUMBER:
        try:
            number = Decimal(str(raw).replace(",", "."))
        except Exception:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        return str(number)
    if kind == CustomFieldDefinition.FieldType.DATE:
        day = v.date(raw)
        return day.isoformat() if day else None
    if kind == CustomFieldDefinition.FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "ja", "oui", "on"}:
            return True
        if text in {"0", "false", "no", "nee", "non", "off"}:
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == CustomFieldDefinition.FieldType.CHOICE:
        if str(raw) not in definition.choices:
            raise ValidationError(
                _("Choose one of: %(options)s.") % {"options": ", ".join(definition.choices)}
            )
        return str(raw)
    return v.text(raw, max_length=500)


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
    tenant: Tenant, data: Mapping[str, Any], *, allowed: set[str], country: str
) -> dict[str, Any]:
    clean, errors = _clean_employee_values(data, allowed=allowed, country=country)
    if errors:
        raise ValidationError(errors)
    return clean


# --- versions ----------------------------------------------------------------------------


def _snapshot(
    employee: Employee, actor: Actor, section: str, changed: list[str], old: dict[str, Any]
) -> None:
    EmployeeVersion.objects.create(
        tenant_id=employee.tenant_id,
        employee=employee,
        version=employee.version,
        section=section,
        changed_at=timezone.now(),
        actor_label=actor.label[:254],
        actor_user_id=actor.user_id,
        changed_fields=changed,
        snapshot=plain_values(employee),
        sealed_snapshot=seal_snapshot(employee, sensitive_values(employee)),
        old_values={k: old.get(k) for k in changed if k not in SENSITIVE_FIELDS},
    )


# --- employees ---------------------------------------------------------------------------

HIRE_FIELDS = {name for name, spec in EMPLOYEE_FIELDS.items() if spec.editable}


def _next_employee_number(tenant: Tenant) -> str:
    numbers = Employee.objects.filter(tenant=tenant).values_list("employee_number", flat=True)
    highest = max((int(n) for n in numbers if n.isdigit()), default=0)
    return f"{highest + 1:05d}"


def hire_employee(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> Employee:
    """A new employee with a first contract (and optionally a first wage).

    `data` holds employee fields, `custom_fields`, `employment` (contract fields),
    optionally `wage` ({amount, currency, period}) and `membership` (a Membership to link).
    """
    _same_company(actor, tenant)
    _require_company(actor, "people.edit")
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
        custom = _clean_custom(tenant, data.get("custom_fields") or {}, {})
    except ValidationError as exc:
        errors.update(exc.message_dict)
    employment: dict[str, Any] = {}
    try:
        employment = _clean_employment(tenant, data.get("employment") or {}, employee=None)
    except ValidationError as exc:
        errors.update({f"employment.{k}": m for k, m in exc.message_dict.items()})
    wage: dict[str, Any] | None = None
    if data.get("wage"):
        try:
            wage = _clean_wage(data["wage"])
            wage.setdefault("effective_from", employment.get("start_date"))
        except ValidationError as exc:
            errors.update({f"wage.{k}": m for k, m in exc.message_dict.items()})
    membership: Membership | None = data.get("membership")
    if membership is not None and membership.tenant_id != tenant.pk:
        errors["membership"] = [_("That login belongs to another company.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if Employee.objects.filter(
            tenant=tenant, employee_number=clean["employee_number"]
        ).exists():
            raise ValidationError({"employee_number": [_("Another employee has this number.")]})
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
        _apply_current_job(employee)
        if wage is not None:
            _create_wage(employee, wage)
        _snapshot(employee, actor, "employee", [*sorted(clean), "employment"], {})
        record(
            actor,
            "employee.hired",
            tenant=tenant,
            target=employee,
            changes=diff(
                {},
                {
                    **{k: _shown(k, val) for k, val in clean.items()},
                    "start_date": employment["start_date"].isoformat(),
                },
                sensitive=SENSITIVE_FIELDS,
            ),
        )
        emit("employee.created", tenant=tenant, target=employee)
        emit(
            "employment.created", tenant=tenant, target=contract, payload={"employee": employee.pk}
        )
    return employee


def _shown(name: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | Decimal):
        return str(value)
    return value


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


def self_editable(tenant: Tenant) -> list[str]:
    settings_row = PeopleSettings.objects.filter(tenant=tenant).first()
    return list(settings_row.self_editable_fields) if settings_row else list(DEFAULT_SELF_EDITABLE)


def update_employee(
    actor: Actor, employee: Employee, data: Mapping[str, Any], *, expected_version: int
) -> Employee:
    """Change fields of an employee; refused when someone else saved in between."""
    _same_company(actor, employee.tenant)
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
    clean = _clean_employee_data(employee.tenant, fields, allowed=allowed, country="BE")
    custom_input = data.get("custom_fields") or {}
    if custom_input and "custom_fields" not in allowed:
        raise ValidationError({"custom_fields": [_("You may not change this field.")]})
    with transaction.atomic():
        current = (
            Employee.objects.select_for_update(of=("self",))
            .select_related("department", "team", "manager")
            .get(pk=employee.pk, tenant=employee.tenant)
        )
        if current.version != expected_version:
            raise StaleVersionError(current)
        custom = _clean_custom(current.tenant, custom_input, dict(current.custom_fields))
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
            and Employee.objects.filter(
                tenant=current.tenant, employee_number=current.employee_number
            )
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError({"employee_number": [_("Another employee has this number.")]})
        current.version = F("version") + 1
        current.updated_by = actor.label[:254]
        current.save()
        current.refresh_from_db()
        _snapshot(current, actor, "employee", sorted(changed), before_plain)
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
        if "iban" in changed and is_self(actor, current):
            from kluis.people.notifications import notify_hr_of_bank_change

            notify_hr_of_bank_change(current)
    return current


# --- contracts ----------------------------------------------------------------------------


def _clean_employment(
    tenant: Tenant, data: Mapping[str, Any], *, employee: Employee | None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}

    def check(name: str, fn: Any) -> None:
        try:
            clean[name] = fn()
        except ValidationError as exc:
            errors[name] = exc.messages

    check(
        "contract_type",
        lambda: v.choice(
            data.get("contract_type") or ContractType.PERMANENT, {c.value for c in ContractType}
        ),
    )
    check("start_date", lambda: v.date(data.get("start_date")) or _missing())
    check("end_date", lambda: v.date(data.get("end_date")))
    check("hours_per_week", lambda: v.hours(data.get("hours_per_week", "38")))
    check("weekly_schedule", lambda: v.weekly_schedule(data.get("weekly_schedule")))
    check("job_title", lambda: v.text(data.get("job_title"), max_length=150, required=True))
    check("cost_centre", lambda: v.text(data.get("cost_centre"), max_length=30))
    for name, model in (("department", Department), ("team", Team), ("manager", Employee)):
        raw = data.get(name) or data.get(f"{name}_id")
        if raw in (None, ""):
            clean[name] = None
            continue
        pk = raw.pk if isinstance(raw, model) else _int(raw)
        obj = model.objects.filter(tenant=tenant, pk=pk).first() if pk is not None else None
        if obj is None or obj.tenant_id != tenant.pk:
            errors[name] = [_("Choose one from the list.")]
        else:
            clean[name] = obj
    if not errors and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors["end_date"] = [_("The end date comes before the start date.")]
    if not errors and clean["contract_type"] == ContractType.FIXED_TERM and not clean["end_date"]:
        errors["end_date"] = [_("A fixed-term contract needs an end date.")]
    if (
        not errors
        and employee is not None
        and clean["manager"] is not None
        and clean["manager"].pk == employee.pk
    ):
        errors["manager"] = [_("Nobody is their own manager.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _missing() -> Any:
    raise ValidationError(_("This field is required."))


def _int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def current_employment(employee: Employee, on: dt.date | None = None) -> Employment | None:
    day = on or timezone.localdate()
    return (
        Employment.objects.filter(employee=employee, start_date__lte=day)
        .exclude(end_date__lt=day)
        .order_by("-start_date")
        .first()
    ) or Employment.objects.filter(employee=employee).order_by("start_date").first()


def _apply_current_job(employee: Employee) -> None:
    """Copy the current contract's job data onto the employee (for fast lists) and keep the
    login's manager (which draws team scopes on memberships) in step."""
    job = current_employment(employee)
    if job is None:
        return
    Employee.objects.filter(pk=employee.pk).update(
        job_title=job.job_title, department=job.department, team=job.team, manager=job.manager
    )
    employee.job_title, employee.department, employee.team, employee.manager = (
        job.job_title,
        job.department,
        job.team,
        job.manager,
    )
    if employee.membership_id:
        manager_membership = job.manager.membership_id if job.manager else None
        Membership.objects.filter(pk=employee.membership_id).update(manager_id=manager_membership)


def add_employment(actor: Actor, employee: Employee, data: Mapping[str, Any]) -> Employment:
    """A new contract period; periods of one employee may not overlap."""
    _same_company(actor, employee.tenant)
    authorize_on(actor, "people.edit", employee)
    if is_self(actor, employee) and not actor.is_system:
        from kluis.access.permissions import Scope
        from kluis.people.permissions import scope_of

        if scope_of(actor, "people.edit") != Scope.COMPANY:
            raise PermissionDenied(_("You do not have permission to do this."))
    clean = _clean_employment(employee.tenant, data, employee=employee)
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        _check_overlap(employee, clean["start_date"], clean["end_date"])
        contract = Employment.objects.create(
            tenant_id=employee.tenant_id, employee=employee, **clean
        )
        before = plain_values(employee)
        _apply_current_job(employee)
        Employee.objects.filter(pk=employee.pk).update(
            version=F("version") + 1, updated_by=actor.label[:254]
        )
        employee.refresh_from_db()
        _snapshot(employee, actor, "employment", ["employment"], before)
        record(
            actor,
            "employment.created",
            tenant=employee.tenant,
            target=contract,
            changes=diff(
                {},
                {
                    "employee": employee.pk,
                    "contract_type": clean["contract_type"],
                    "start_date": clean["start_date"].isoformat(),
                    "end_date": clean["end_date"].isoformat() if clean["end_date"] else None,
                    "job_title": clean["job_title"],
                    "manager": clean["manager"].pk if clean["manager"] else None,
                },
            ),
        )
        emit(
            "employment.created",
            tenant=employee.tenant,
            target=contract,
            payload={"employee": employee.pk},
        )
    return contract


def _check_overlap(
    employee: Employee, start: dt.date, end: dt.date | None, exclude: int | None = None
) -> None:
    others = Employment.objects.filter(employee=employee)
    if exclude is not None:
        others = others.exclude(pk=exclude)
    far = dt.date.max
    for other in others:
        if start <= (other.end_date or far) and other.start_date <= (end or far):
            raise ValidationError(
                {
                    "start_date": [
                        _("This period overlaps the contract that starts on %(day)s.")
                        % {"day": other.start_date.isoformat()}
                    ]
                }
            )


def end_employment(actor: Actor, contract: Employment, end_date: Any) -> Employment:
    employee = contract.employee
    _same_company(actor, employee.tenant)
    authorize_on(actor, "people.edit", employee)
    if is_self(actor, employee):
        raise PermissionDenied(_("You do not have permission to do this."))
    day = v.date(end_date)
    if day is None:
        raise ValidationError({"end_date": [_("This field is required.")]})
    if day < contract.start_date:
        raise ValidationError({"end_date": [_("The end date comes before the start date.")]})
    with transaction.atomic():
        before = contract.end_date
        contract.end_date = day
        contract.save(update_fields=["end_date"])
        _apply_current_job(employee)
        Employee.objects.filter(pk=employee.pk).update(
            version=F("version") + 1, updated_by=actor.label[:254]
        )
        employee.refresh_from_db()
        _snapshot(employee, actor, "employment", ["employment"], {})
        record(
            actor,
            "employment.ended",
            tenant=employee.tenant,
            target=contract,
            changes=diff(
                {"end_date": before.isoformat() if before else None}, {"end_date": day.isoformat()}
            ),
        )
        emit(
            "employment.updated",
            tenant=employee.tenant,
            target=contract,
            payload={"employee": employee.pk},
        )
    return contract


# --- wages --------------------------------------------------------------------------------


def _clean_wage(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, fn in (
        ("amount", lambda: v.money(data.get("amount"))),
        ("currency", lambda: v.currency(data.get("currency"))),
        (
            "period",
            lambda: v.choice(data.get("period") or WagePeriod.MONTH, {p.value for p in WagePeriod}),
        ),
        ("effective_from", lambda: v.date(data.get("effective_from"))),
    ):
        try:
            clean[name] = fn()
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    if clean["effective_from"] is None:
        clean.pop("effective_from")
    return clean


def _create_wage(employee: Employee, clean: Mapping[str, Any]) -> Wage:
    return Wage.objects.create(
        tenant_id=employee.tenant_id,
        employee=employee,
        effective_from=clean["effective_from"],
        amount_sealed=vault.seal(employee.tenant_id, WAGE_PURPOSE, str(clean["amount"])) or "",
        currency=clean["currency"],
        period=clean["period"],
    )


def set_wage(actor: Actor, employee: Employee, data: Mapping[str, Any]) -> Wage:
    """A gross salary from a date on. Needs people.edit and people.view_salary (company)."""
    _same_company(actor, employee.tenant)
    _require_company(actor, "people.edit")
    _require_company(actor, "people.view_salary")
    clean = _clean_wage(data)
    if "effective_from" not in clean:
        raise ValidationError({"effective_from": [_("This field is required.")]})
    with transaction.atomic():
        try:
            with transaction.atomic():
                wage = _create_wage(employee, clean)
        except IntegrityError:
            raise ValidationError(
                {"effective_from": [_("There is already a wage from this date.")]}
            ) from None
        Employee.objects.filter(pk=employee.pk).update(
            version=F("version") + 1, updated_by=actor.label[:254]
        )
        employee.refresh_from_db()
        _snapshot(employee, actor, "wage", ["wage"], {})
        record(
            actor,
            "wage.set",
            tenant=employee.tenant,
            target=wage,
            changes=diff(
                {},
                {
                    "employee": employee.pk,
                    "effective_from": clean["effective_from"].isoformat(),
                    "amount": "sealed",
                    "currency": clean["currency"],
                    "period": clean["period"],
                },
                sensitive={"amount"},
            ),
        )
        emit("wage.created", tenant=employee.tenant, target=wage, payload={"employee": employee.pk})
    return wage


def add_wage_component(actor: Actor, employee: Employee, data: Mapping[str, Any]) -> WageComponent:
    _same_company(actor, employee.tenant)
    _require_company(actor, "people.edit")
    _require_company(actor, "people.view_salary")
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    recurring = bool(data.get("recurring", True)) and str(data.get("recurring")).lower() not in {
        "0",
        "false",
        "no",
        "off",
    }
    for name, fn in (
        ("kind", lambda: v.choice(data.get("kind"), {k.value for k in WageComponent.Kind})),
        ("label", lambda: v.text(data.get("label"), max_length=120)),
        ("amount", lambda: v.money(data.get("amount"))),
        ("currency", lambda: v.currency(data.get("currency"))),
        (
            "period",
            lambda: v.choice(data.get("period") or WagePeriod.MONTH, {p.value for p in WagePeriod}),
        ),
        ("start_date", lambda: v.date(data.get("start_date")) or _missing()),
        ("end_date", lambda: v.date(data.get("end_date"))),
    ):
        try:
            clean[name] = fn()
        except ValidationError as exc:
            errors[name] = exc.messages
    if not errors and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors["end_date"] = [_("The end date comes before the start date.")]
    if errors:
        raise ValidationError(errors)
    if not recurring:
        clean["end_date"] = clean["start_date"]
    amount = clean.pop("amount")
    with transaction.atomic():
        component = WageComponent.objects.create(
            tenant_id=employee.tenant_id,
            employee=employee,
            recurring=recurring,
            amount_sealed=vault.seal(employee.tenant_id, WAGE_COMPONENT_PURPOSE, str(amount)) or "",
            **clean,
        )
        Employee.objects.filter(pk=employee.pk).update(
            version=F("version") + 1, updated_by=actor.label[:254]
        )
        employee.refresh_from_db()
        _snapshot(employee, actor, "wage", ["wage_component"], {})
        record(
            actor,
            "wage_component.added",
            tenant=employee.tenant,
            target=component,
            changes=diff(
                {},
                {"employee": employee.pk, "kind": clean["kind"], "amount": "sealed"},
                sensitive={"amount"},
            ),
        )
        emit(
            "wage_component.created",
            tenant=employee.tenant,
            target=component,
            payload={"employee": employee.pk},
        )
    return component


# --- emergency contacts --------------------------------------------------------------------


def _may_edit_contacts(actor: Actor, employee: Employee) -> None:
    if (
        "emergency_contacts" in editable_fields(actor, employee)
        or editable_fields(actor, employee) >= HIRE_FIELDS
    ):
        return
    raise PermissionDenied(_("You do not have permission to do this."))


def add_emergency_contact(
    actor: Actor, employee: Employee, data: Mapping[str, Any]
) -> EmergencyContact:
    _same_company(actor, employee.tenant)
    _may_edit_contacts(actor, employee)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name, fn in (
        ("name", lambda: v.text(data.get("name"), max_length=150, required=True)),
        ("relationship", lambda: v.text(data.get("relationship"), max_length=60)),
        ("phone", lambda: v.phone(data.get("phone")) or _missing()),
        ("email", lambda: v.email(data.get("email"))),
    ):
        try:
            clean[name] = fn()
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = EmergencyContact.objects.create(
            tenant_id=employee.tenant_id, employee=employee, **clean
        )
        record(
            actor,
            "emergency_contact.added",
            tenant=employee.tenant,
            target=contact,
            changes={"employee": {"old": None, "new": employee.pk}},
        )
        emit(
            "emergency_contact.created",
            tenant=employee.tenant,
            target=contact,
            payload={"employee": employee.pk},
        )
    return contact


def remove_emergency_contact(actor: Actor, contact: EmergencyContact) -> None:
    employee = contact.employee
    _same_company(actor, employee.tenant)
    _may_edit_contacts(actor, employee)
    with transaction.atomic():
        record(actor, "emergency_contact.removed", tenant=employee.tenant, target=contact)
        emit(
            "emergency_contact.deleted",
            tenant=employee.tenant,
            target=contact,
            payload={"employee": employee.pk},
        )
        contact.delete()


# --- organisation ----------------------------------------------------------------------------


def create_department(
    actor: Actor, tenant: Tenant, *, name: str, code: str = "", parent: Department | None = None
) -> Department:
    _same_company(actor, tenant)
    _require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ValidationError({"parent": [_("Choose one from the list.")]})
    with transaction.atomic():
        if Department.objects.filter(tenant=tenant, name__iexact=name).exists():
            raise ValidationError({"name": [_("Another department has this name.")]})
        department = Department.objects.create(
            tenant=tenant, name=name, code=v.text(code, max_length=30), parent=parent
        )
        record(
            actor,
            "department.created",
            tenant=tenant,
            target=department,
            changes={"name": {"old": None, "new": name}},
        )
        emit("department.created", tenant=tenant, target=department)
    return department


def create_team(
    actor: Actor, tenant: Tenant, *, name: str, department: Department | None = None
) -> Team:
    _same_company(actor, tenant)
    _require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    if department is not None and department.tenant_id != tenant.pk:
        raise ValidationError({"department": [_("Choose one from the list.")]})
    with transaction.atomic():
        if Team.objects.filter(tenant=tenant, name__iexact=name).exists():
            raise ValidationError({"name": [_("Another team has this name.")]})
        team = Team.objects.create(tenant=tenant, name=name, department=department)
        record(
            actor,
            "team.created",
            tenant=tenant,
            target=team,
            changes={"name": {"old": None, "new": name}},
        )
        emit("team.created", tenant=tenant, target=team)
    return team


def define_custom_field(
    actor: Actor,
    tenant: Tenant,
    *,
    key: str,
    label: str,
    field_type: str,
    choices: list[str] | None = None,
    required: bool = False,
) -> CustomFieldDefinition:
    _same_company(actor, tenant)
    _require_company(actor, "people.edit")
    errors: dict[str, list[str]] = {}
    key = v.text(key, max_length=50).lower()
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", key):
        errors["key"] = [
            _("Use lowercase letters, digits and underscores, starting with a letter.")
        ]
    label = v.text(label, max_length=100)
    if not label:
        errors["label"] = [_("This field is required.")]
    if field_type not in {t.value for t in CustomFieldDefinition.FieldType}:
        errors["field_type"] = [_("Choose a type from the list.")]
    clean_choices = [str(c).strip() for c in (choices or []) if str(c).strip()]
    if field_type == CustomFieldDefinition.FieldType.CHOICE and not clean_choices:
        errors["choices"] = [_("A choice field needs at least one choice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if CustomFieldDefinition.objects.filter(tenant=tenant, key=key).exists():
            raise ValidationError({"key": [_("Another custom field has this key.")]})
        position = CustomFieldDefinition.objects.filter(tenant=tenant).count()
        definition = CustomFieldDefinition.objects.create(
            tenant=tenant,
            key=key,
            label=label,
            field_type=field_type,
            choices=clean_choices,
            required=required,
            position=position,
        )
        record(
            actor,
            "custom_field.defined",
            tenant=tenant,
            target=definition,
            changes={"key": {"old": None, "new": key}, "type": {"old": None, "new": field_type}},
        )
        emit("custom_field.created", tenant=tenant, target=definition)
    return definition


def update_people_settings(
    actor: Actor, tenant: Tenant, *, self_editable_fields: list[str]
) -> PeopleSettings:
    _same_company(actor, tenant)
    _require_company(actor, "people.edit")
    unknown = sorted(set(self_editable_fields) - set(SELF_EDITABLE_CHOICES))
    if unknown:
        raise ValidationError(
            {
                "self_editable_fields": [
                    _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
                ]
            }
        )
    with transaction.atomic():
        row, _created = PeopleSettings.objects.select_for_update().get_or_create(
            tenant=tenant, defaults={"self_editable_fields": list(DEFAULT_SELF_EDITABLE)}
        )
        before = sorted(row.self_editable_fields)
        row.self_editable_fields = sorted(set(self_editable_fields))
        row.save(update_fields=["self_editable_fields"])
        record(
            actor,
            "people_settings.updated",
            tenant=tenant,
            object_type="people.peoplesettings",
            object_id=row.pk,
            object_repr="self-service fields",
            changes=diff(
                {"self_editable_fields": before}, {"self_editable_fields": row.self_editable_fields}
            ),
        )
        emit("people_settings.updated", tenant=tenant, target=row)
    return row
