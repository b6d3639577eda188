"""Where People's services meet the two-person rule (kluis/approvals/): a wage change of
more than the company's percentage and a bank account changed on someone's behalf are
held for a second approver when the company chose so. Each check runs after the
service's own checks and before it writes; `gate()` stores the request and raises
HeldForApproval, or lets the action through (not chosen, below the threshold, or applied
after approval by an actor stamped with it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.approvals.services import gate, policy_for
from kluis.crypto import vault
from kluis.people.fields import EMPLOYEE_FIELDS, WAGE_PURPOSE
from kluis.people.models import Employee, Wage
from kluis.people.permissions import is_self
from kluis.people.records import SENSITIVE_FIELDS, jsonable, sealed_value

WAGE_CHANGE = "wage.change"
BANK_CHANGE = "bank_account.change_for_other"


def _passes(actor: Actor, key: str) -> bool:
    """Applied after approval, or by the platform itself (the CLI, the demo loader)."""
    stamp = actor.approval
    return actor.is_system or (stamp is not None and stamp.action == key)


def _json(value: Any) -> Any:
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def _digest(rows: Any) -> str:
    return hashlib.sha256(json.dumps(rows, default=str).encode()).hexdigest()


# --- wages -------------------------------------------------------------------------------


def wages_fingerprint(employee_id: int, tenant_id: int) -> str:
    """The employee's wage rows as they stand: a wage set or withdrawn meanwhile changes it."""
    rows = (
        Wage.objects.for_tenant(tenant_id)
        .filter(employee_id=employee_id)
        .order_by("effective_from", "pk")
        .values_list("pk", "effective_from", "currency", "period")
    )
    return _digest([list(row) for row in rows])


def wage_before(employee: Employee, day: Any) -> Wage | None:
    """The wage in force the day before `day` (what a new wage from `day` changes)."""
    return (
        Wage.objects.for_tenant(employee.tenant_id)
        .filter(employee_id=employee.pk, effective_from__lt=day)
        .order_by("-effective_from")
        .first()
    )


def exceeds(old: Wage | None, clean: Mapping[str, Any], percent: int) -> bool:
    """More than `percent` % away from the wage in force; a change of currency or period
    cannot be measured in percent and counts as more. A first wage changes nothing."""
    if old is None:
        return False
    if old.currency != clean["currency"] or old.period != clean["period"]:
        return True
    before = Decimal(vault.unseal(old.tenant_id, WAGE_PURPOSE, old.amount_sealed) or "0")
    after = Decimal(clean["amount"])
    if before == 0:
        return after != 0
    return abs(after - before) * 100 > before * percent


def _shown(amount: Any, currency: str, period: str) -> str:
    return f"{Decimal(amount):.2f} {currency} / {period}"


def hold_wage(actor: Actor, employee: Employee, clean: Mapping[str, Any]) -> None:
    """Hold a wage that moves the amount by more than the company's percentage."""
    if _passes(actor, WAGE_CHANGE):
        return
    policy = policy_for(employee.tenant_id)
    if WAGE_CHANGE not in policy.actions:
        return
    old = wage_before(employee, clean["effective_from"])
    if not exceeds(old, clean, policy.wage_change_percent):
        return
    assert old is not None
    before = vault.unseal(old.tenant_id, WAGE_PURPOSE, old.amount_sealed) or "0"
    gate(
        actor,
        WAGE_CHANGE,
        tenant=employee.tenant,
        target=employee,
        target_label=employee.display_name,
        payload={
            "employee": employee.pk,
            "effective_from": clean["effective_from"].isoformat(),
            "currency": clean["currency"],
            "period": clean["period"],
        },
        sealed={"amount": str(clean["amount"])},
        changes=[
            {
                "field": "amount",
                "label": _("Gross wage"),
                "old": _shown(before, old.currency, old.period),
                "new": _shown(clean["amount"], clean["currency"], clean["period"]),
                "reveal": "people.view_salary",
            },
            {
                "field": "effective_from",
                "label": _("From"),
                "old": old.effective_from.isoformat(),
                "new": clean["effective_from"].isoformat(),
            },
        ],
        fingerprint=wages_fingerprint(employee.pk, employee.tenant_id),
    )


# --- bank account ------------------------------------------------------------------------


def hold_bank_change(
    actor: Actor,
    current: Employee,
    clean: Mapping[str, Any],
    custom_input: Mapping[str, Any],
) -> None:
    """Hold an edit that changes someone else's bank account: the whole edit waits (the
    other fields with it), to be applied as it was made. `current` is the employee as
    read now, its version checked against the one the editor saw."""
    if _passes(actor, BANK_CHANGE) or is_self(actor, current) or "iban" not in clean:
        return
    if sealed_value(current, "iban") == clean["iban"]:
        return
    if BANK_CHANGE not in policy_for(current.tenant_id).actions:
        return
    changes: list[dict[str, Any]] = []
    for name, value in clean.items():
        spec = EMPLOYEE_FIELDS[name]
        before = sealed_value(current, name) if spec.sealed else getattr(current, name)
        if before == value:
            continue
        changes.append(
            {
                "field": name,
                "label": str(spec.label),
                "old": jsonable(before),
                "new": jsonable(value),
                "reveal": spec.permission if name in SENSITIVE_FIELDS or spec.sealed else "",
            }
        )
    if custom_input:
        changes.append(
            {
                "field": "custom_fields",
                "label": _("Custom fields"),
                "old": _json(dict(current.custom_fields)),
                "new": _json(dict(custom_input)),
                "reveal": "people.edit",
            }
        )
    data = {name: jsonable(value) for name, value in clean.items()}
    if custom_input:
        data["custom_fields"] = _json(dict(custom_input))
    gate(
        actor,
        BANK_CHANGE,
        tenant=current.tenant,
        target=current,
        target_label=current.display_name,
        payload={"employee": current.pk, "version": current.version, "fields": sorted(data)},
        sealed={"data": data},
        changes=changes,
        fingerprint=str(current.version),
    )
