"""Pay: effective-dated wages and pay components, their amounts sealed. A row that has
started is pay history (never deleted; a change is a new row from a later date). Each
write authorises, validates, keeps a version, records an audit event and emits a domain
event in one transaction."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
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
    Employee,
    Wage,
    WageComponent,
    WagePeriod,
)
from kluis.people.services._held import hold_wage
from kluis.people.services._kit import (
    collect,
    missing,
    new_version,
    require_company,
    same_company,
)

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
    """A gross salary from a date on. Needs people.edit and people.view_salary (company).
    A change of more than the company's percentage waits for a second approver when the
    company chose so (kluis/people/services/_held.py)."""
    same_company(actor, employee.tenant)
    require_company(actor, "people.edit")
    require_company(actor, "people.view_salary")
    clean = clean_wage(data)
    if "effective_from" not in clean:
        raise ValidationError({"effective_from": [_("This field is required.")]})
    hold_wage(actor, employee, clean)  # the two-person rule: may raise HeldForApproval
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
        emit_wage_set(employee, wage)
    return wage


def _terms(wage: Wage) -> dict[str, Any]:
    amount = vault.unseal(wage.tenant_id, WAGE_PURPOSE, wage.amount_sealed) or "0"
    return {"amount": Decimal(amount), "currency": wage.currency, "period": wage.period}


def changed_terms(wage: Wage) -> list[str]:
    """What differs between a wage and the one in force the day before it starts (all of
    amount, currency and period when there is none): the names, compared unsealed here and
    never shown."""
    before = (
        Wage.objects.filter(employee_id=wage.employee_id, effective_from__lt=wage.effective_from)
        .order_by("-effective_from")
        .first()
    )
    mine = _terms(wage)
    if before is None:
        return sorted(mine)
    theirs = _terms(before)
    return sorted(name for name in mine if mine[name] != theirs[name])


def emit_wage_set(employee: Employee, wage: Wage) -> None:
    """`wage.created`, and `wage.changed` when the new wage differs from the one before it
    (kluis/people/events.py), in the caller's transaction."""
    emit("wage.created", tenant=employee.tenant, target=wage, payload={"employee": employee.pk})
    _emit_changed(employee, wage)


def _emit_changed(employee: Employee, wage: Wage) -> None:
    fields = changed_terms(wage)
    if fields:
        emit(
            "wage.changed",
            tenant=employee.tenant,
            target=wage,
            payload={"employee": employee.pk, "fields": fields},
        )


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
        if isinstance(current, Wage):
            # Withdrawn: the wage before it applies again from its date.
            _emit_changed(employee, current)
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
            payload={"employee": employee.pk, "fields": ["end_date"]},
        )
    return current
