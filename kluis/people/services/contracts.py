"""Contracts over time: employments that never overlap, and the current job they set on
the employee. Each write authorises, validates, keeps a version, records an audit event
and emits a domain event in one transaction. Pay (wages, components) is in pay.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.integrations.models import DomainEvent
from kluis.people import validation as v
from kluis.people.models import (
    ContractType,
    Department,
    Employee,
    Employment,
    Team,
)
from kluis.people.permissions import authorize_on, is_self
from kluis.people.records import (
    plain_values,
)
from kluis.people.services._kit import (
    missing,
    new_version,
    same_company,
    to_int,
)
from kluis.people.services._org import not_archived_message
from kluis.tenancy.models import Membership, Tenant

# --- contracts ----------------------------------------------------------------------------


def clean_employment(
    tenant: Tenant,
    data: Mapping[str, Any],
    *,
    employee: Employee | None,
    born: dt.date | None = None,
) -> dict[str, Any]:
    """The contract fields; the start is checked against the birth date (`born`, or the
    employee's)."""
    if born is None and employee is not None:
        born = employee.birth_date
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
    check("start_date", lambda: v.start_date(data.get("start_date"), born=born) or missing())
    check("end_date", lambda: v.date(data.get("end_date")))
    check("probation_end_date", lambda: v.date(data.get("probation_end_date")))
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
        elif isinstance(obj, Department | Team) and obj.archived_at is not None:
            # Archived: kept on past contracts, not offered for a new one.
            errors[name] = not_archived_message(obj)
        else:
            clean[name] = obj
    if not errors and clean["end_date"] and clean["end_date"] < clean["start_date"]:
        errors["end_date"] = [_("The end date comes before the start date.")]
    if not errors and clean["contract_type"] == ContractType.FIXED_TERM and not clean["end_date"]:
        errors["end_date"] = [_("A fixed-term contract needs an end date.")]
    if not errors:
        try:
            v.probation_end(
                clean["probation_end_date"], start=clean["start_date"], end=clean["end_date"]
            )
        except ValidationError as exc:
            errors["probation_end_date"] = exc.messages
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
        probation = probation_version(None, clean["probation_end_date"])
        new_version(
            employee,
            actor,
            "employment",
            ["employment", *probation],
            {**before, **probation},
            contract=probation_snapshot(clean["probation_end_date"]),
        )
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
                    "end_date": iso(clean["end_date"]),
                    "probation_end_date": iso(clean["probation_end_date"]),
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


PROBATION = "probation_end_date"


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def probation_version(before: dt.date | None, after: dt.date | None) -> dict[str, Any]:
    """The end of probation as a changed field of the employee's version (old value), or
    nothing when it did not change."""
    return {} if before == after else {PROBATION: iso(before)}


def probation_snapshot(after: dt.date | None) -> dict[str, Any]:
    return {PROBATION: iso(after)}


def end_employment(
    actor: Actor,
    contract: Employment,
    end_date: Any,
    *,
    precondition: Callable[[Employment], None] | None = None,
) -> Employment:
    """Set the last day of a contract (or move it); `precondition` is checked against the
    contract as locked here (the API's If-Match)."""
    return change_employment(actor, contract, {"end_date": end_date}, precondition=precondition)


def set_probation_end(actor: Actor, contract: Employment, day: Any) -> Employment:
    """Set, move or clear (empty) the last day of a contract's probation period."""
    return change_employment(actor, contract, {PROBATION: day})


def change_employment(
    actor: Actor,
    contract: Employment,
    data: Mapping[str, Any],
    *,
    precondition: Callable[[Employment], None] | None = None,
) -> Employment:
    """Change a contract's dates: `end_date` (set or moved; never cleared) and/or
    `probation_end_date` (set, moved or cleared with an empty value). Other changes are a
    new contract. The end of probation stays within the contract: on or after its start,
    not after its end."""
    employee = contract.employee
    same_company(actor, employee.tenant)
    authorize_on(actor, "people.edit", employee)
    if is_self(actor, employee):
        raise PermissionDenied(_("You do not have permission to do this."))
    errors: dict[str, list[str]] = {}
    wanted: dict[str, dt.date | None] = {}
    for name in ("end_date", PROBATION):
        if name not in data:
            continue
        try:
            wanted[name] = v.date(data[name])
        except ValidationError as exc:
            errors[name] = exc.messages
    if "end_date" in wanted and wanted["end_date"] is None:
        errors["end_date"] = [_("This field is required.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contract = (
            Employment.objects.for_tenant(employee.tenant_id)
            .select_for_update()
            .select_related("employee__tenant")
            .get(pk=contract.pk)
        )
        employee = contract.employee
        if precondition is not None:
            precondition(contract)
        end = wanted.get("end_date", contract.end_date)
        probation = wanted.get(PROBATION, contract.probation_end_date)
        _check_dates(contract, end, probation, probation_given=PROBATION in wanted)
        before = {"end_date": contract.end_date, PROBATION: contract.probation_end_date}
        after = {"end_date": end, PROBATION: probation}
        # A sent end date counts even when it is the same (it was confirmed again).
        changed = [
            name
            for name in after
            if name in wanted and (name == "end_date" or after[name] != before[name])
        ]
        if not changed:
            return contract
        contract.end_date, contract.probation_end_date = end, probation
        contract.save(update_fields=changed)
        apply_current_job(employee)
        new_version(
            employee,
            actor,
            "employment",
            ["employment", *probation_version(before[PROBATION], probation)],
            probation_version(before[PROBATION], probation),
            contract=probation_snapshot(probation),
        )
        record(
            actor,
            "employment.ended" if "end_date" in changed else "employment.updated",
            tenant=employee.tenant,
            target=contract,
            changes=diff(
                {name: iso(before[name]) for name in changed},
                {name: iso(after[name]) for name in changed},
            ),
        )
        # Ending an open-ended contract (it is the last one: contracts do not overlap) is
        # the employee's departure; moving the end of an ended one is a change of it.
        left = "end_date" in changed and before["end_date"] is None
        emit(
            "employment.ended" if left else "employment.updated",
            tenant=employee.tenant,
            target=contract,
            payload={"employee": employee.pk, "fields": changed},
        )
        if left:
            emit_left(employee, contract)
    return contract


def _check_dates(
    contract: Employment, end: dt.date | None, probation: dt.date | None, *, probation_given: bool
) -> None:
    if end is not None and end < contract.start_date:
        raise ValidationError({"end_date": [_("The end date comes before the start date.")]})
    try:
        v.probation_end(probation, start=contract.start_date, end=end)
    except ValidationError as exc:
        # Said of the date that was sent: a new end before the probation's, or the other way.
        name = PROBATION if probation_given else "end_date"
        raise ValidationError({name: exc.messages}) from None


def emit_left(employee: Employee, contract: Employment | None) -> None:
    """`employee.left` for the departure that ends `contract` (their last), in the caller's
    transaction, once: not when it was sent already for that contract (marked as left
    before the contract was ended, or the other way round). kluis/people/events.py."""
    last = contract.pk if contract else None
    if (
        DomainEvent.objects.for_tenant(employee.tenant_id)
        .filter(name="employee.left", object_id=str(employee.pk), payload__employment=last)
        .exists()
    ):
        return
    emit("employee.left", tenant=employee.tenant, target=employee, payload={"employment": last})


def last_employment(employee: Employee) -> Employment | None:
    return Employment.objects.filter(employee=employee).order_by("-start_date").first()
