"""Contracts over time and pay: employments that never overlap, effective-dated wages and
pay components (amounts sealed). Each write authorises, validates, keeps a version,
records an audit event and emits a domain event in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.crypto import vault
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.fields import (
    WAGE_COMPONENT_PURPOSE,
    WAGE_PURPOSE,
)
from kluis.people.models import (
    ContractType,
    Department,
    Employee,
    Employment,
    Team,
    Wage,
    WageComponent,
    WagePeriod,
)
from kluis.people.permissions import authorize_on, is_self
from kluis.people.records import (
    plain_values,
)
from kluis.people.services._kit import (
    collect,
    missing,
    new_version,
    require_company,
    same_company,
    to_int,
)
from kluis.tenancy.models import Membership, Tenant

# --- contracts ----------------------------------------------------------------------------


def clean_employment(
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
    check("start_date", lambda: v.date(data.get("start_date")) or missing())
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
        pk = raw.pk if isinstance(raw, model) else to_int(raw)
        obj = model.objects.for_tenant(tenant).filter(pk=pk).first() if pk is not None else None
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


def current_employment(employee: Employee, on: dt.date | None = None) -> Employment | None:
    day = on or timezone.localdate()
    return (
        Employment.objects.filter(employee=employee, start_date__lte=day)
        .exclude(end_date__lt=day)
        .order_by("-start_date")
        .first()
    ) or Employment.objects.filter(employee=employee).order_by("start_date").first()


def apply_current_job(employee: Employee) -> None:
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
    same_company(actor, employee.tenant)
    authorize_on(actor, "people.edit", employee)
    if is_self(actor, employee) and not actor.is_system:
        from kluis.access.permissions import Scope
        from kluis.people.permissions import scope_of

        if scope_of(actor, "people.edit") != Scope.COMPANY:
            raise PermissionDenied(_("You do not have permission to do this."))
    clean = clean_employment(employee.tenant, data, employee=employee)
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        check_overlap(employee, clean["start_date"], clean["end_date"])
        contract = Employment.objects.create(
            tenant_id=employee.tenant_id, employee=employee, **clean
        )
        before = plain_values(employee)
        apply_current_job(employee)
        new_version(employee, actor, "employment", ["employment"], before)
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


def check_overlap(
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
    same_company(actor, employee.tenant)
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
        apply_current_job(employee)
        new_version(employee, actor, "employment", ["employment"], {})
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


class WageInForceError(Exception):
    """A wage or pay component that has started is pay history and is never deleted (the
    API answers 409); a change is a new row from a later date."""


def wage_period(data: Mapping[str, Any]) -> str:
    return v.choice(data.get("period") or WagePeriod.MONTH, {p.value for p in WagePeriod})


def clean_wage(data: Mapping[str, Any]) -> dict[str, Any]:
    clean = collect(
        [
            ("amount", lambda: v.money(data.get("amount"))),
            ("currency", lambda: v.currency(data.get("currency"))),
            ("period", lambda: wage_period(data)),
            ("effective_from", lambda: v.date(data.get("effective_from"))),
        ]
    )
    if clean["effective_from"] is None:
        clean.pop("effective_from")
    return clean


def create_wage(employee: Employee, clean: Mapping[str, Any]) -> Wage:
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
    same_company(actor, employee.tenant)
    require_company(actor, "people.edit")
    require_company(actor, "people.view_salary")
    clean = clean_wage(data)
    if "effective_from" not in clean:
        raise ValidationError({"effective_from": [_("This field is required.")]})
    with transaction.atomic():
        try:
            with transaction.atomic():
                wage = create_wage(employee, clean)
        except IntegrityError:
            raise ValidationError(
                {"effective_from": [_("There is already a wage from this date.")]}
            ) from None
        new_version(employee, actor, "wage", ["wage"], {})
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
    same_company(actor, employee.tenant)
    require_company(actor, "people.edit")
    require_company(actor, "people.view_salary")
    recurring = bool(data.get("recurring", True)) and str(data.get("recurring")).lower() not in {
        "0",
        "false",
        "no",
        "off",
    }
    clean = collect(
        [
            ("kind", lambda: v.choice(data.get("kind"), {k.value for k in WageComponent.Kind})),
            ("label", lambda: v.text(data.get("label"), max_length=120)),
            ("amount", lambda: v.money(data.get("amount"))),
            ("currency", lambda: v.currency(data.get("currency"))),
            ("period", lambda: wage_period(data)),
            ("start_date", lambda: v.date(data.get("start_date")) or missing()),
            ("end_date", lambda: v.date(data.get("end_date"))),
        ]
    )
    if clean["end_date"] and clean["end_date"] < clean["start_date"]:
        raise ValidationError({"end_date": [_("The end date comes before the start date.")]})
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
        new_version(employee, actor, "wage", ["wage_component"], {})
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


def _withdraw_planned[P: (Wage, WageComponent)](
    actor: Actor,
    row: P,
    *,
    starts: Callable[[P], Any],
    refusal: str,
    action: str,
    snapshot: Callable[[P], dict[str, Any]],
    precondition: Callable[[P], None] | None,
) -> None:
    """Delete pay that has not started yet; pay already in force is history (409)."""
    employee = row.employee
    same_company(actor, employee.tenant)
    require_company(actor, "people.edit")
    require_company(actor, "people.view_salary")
    with transaction.atomic():
        current = (
            type(row).objects.for_tenant(employee.tenant_id).select_for_update().get(pk=row.pk)
        )
        if precondition is not None:
            precondition(current)
        if starts(current) <= timezone.localdate():
            raise WageInForceError(refusal % {"day": starts(current).isoformat()})
        new_version(employee, actor, "wage", [action.partition(".")[0]], {})
        before = {"employee": employee.pk, **snapshot(current), "amount": "sealed"}
        record(
            actor,
            action,
            tenant=employee.tenant,
            target=current,
            changes=diff(before, {}, sensitive={"amount"}),
        )
        emit(action, tenant=employee.tenant, target=current, payload={"employee": employee.pk})
        current.delete()


def delete_planned_wage(
    actor: Actor, wage: Wage, *, precondition: Callable[[Wage], None] | None = None
) -> None:
    """Withdraw a wage that is not in force yet (a planned change that was wrong)."""
    _withdraw_planned(
        actor,
        wage,
        starts=lambda w: w.effective_from,
        refusal=_(
            "This wage is in force since %(day)s and is part of the pay history; "
            "set a new wage from a later date instead."
        ),
        action="wage.deleted",
        snapshot=lambda w: {
            "effective_from": w.effective_from.isoformat(),
            "currency": w.currency,
            "period": w.period,
        },
        precondition=precondition,
    )


def delete_planned_wage_component(
    actor: Actor,
    component: WageComponent,
    *,
    precondition: Callable[[WageComponent], None] | None = None,
) -> None:
    """Withdraw pay on top of the wage that has not started yet (e.g. a planned bonus)."""
    _withdraw_planned(
        actor,
        component,
        starts=lambda c: c.start_date,
        refusal=_(
            "This pay component started on %(day)s and is part of the pay history; "
            "add a correcting component instead."
        ),
        action="wage_component.deleted",
        snapshot=lambda c: {"kind": c.kind, "start_date": c.start_date.isoformat()},
        precondition=precondition,
    )


def end_wage_component(
    actor: Actor,
    component: WageComponent,
    end_date: Any,
    *,
    precondition: Callable[[WageComponent], None] | None = None,
) -> WageComponent:
    """End a recurring pay component (a car handed back, vouchers stopped) on `end_date`, or
    move a coming end: the one change pay history allows, as ending a contract. Not for a
    one-off (it ends on its start date: 422), nor one whose end has passed (history: 409)."""
    employee = component.employee
    same_company(actor, employee.tenant)
    require_company(actor, "people.edit")
    require_company(actor, "people.view_salary")
    try:
        day = v.date(end_date)
    except ValidationError as error:
        raise ValidationError({"end_date": error.messages}) from None
    if day is None:
        raise ValidationError({"end_date": [_("This field is required.")]})
    with transaction.atomic():
        current = (
            WageComponent.objects.for_tenant(employee.tenant_id)
            .select_for_update()
            .select_related("employee__tenant")
            .get(pk=component.pk)
        )
        if precondition is not None:
            precondition(current)
        if not current.recurring:
            raise ValidationError(
                {
                    "end_date": [
                        _(
                            "A one-off component ends on its start date; withdraw it or add "
                            "a correcting component."
                        )
                    ]
                }
            )
        if current.end_date is not None and current.end_date < timezone.localdate():
            raise WageInForceError(
                _("This pay component ended on %(day)s and is part of the pay history.")
                % {"day": current.end_date.isoformat()}
            )
        if day < current.start_date:
            raise ValidationError({"end_date": [_("The end date comes before the start date.")]})
        before = current.end_date
        current.end_date = day
        current.save(update_fields=["end_date"])
        new_version(employee, actor, "wage", ["wage_component"], {})
        record(
            actor,
            "wage_component.ended",
            tenant=employee.tenant,
            target=current,
            changes=diff(
                {"end_date": before.isoformat() if before else None},
                {"end_date": day.isoformat()},
            ),
        )
        emit(
            "wage_component.updated",
            tenant=employee.tenant,
            target=current,
            payload={"employee": employee.pk},
        )
    return current
