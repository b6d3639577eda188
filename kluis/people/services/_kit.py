"""Helpers every People service shares: company and permission checks, field-error
collection, and keeping a version of the employee after each change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.people.models import (
    Employee,
    EmployeeVersion,
)
from kluis.people.records import (
    SENSITIVE_FIELDS,
    plain_values,
    seal_snapshot,
    sensitive_values,
)
from kluis.tenancy.models import Tenant


def same_company(actor: Actor, tenant: Tenant | int) -> None:
    """Refused unless the actor acts for this company (given as itself or its id)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant_id):
        raise PermissionDenied(_("Not a member of this company."))


def require_company(actor: Actor, permission: str) -> None:
    from kluis.access.authorization import authorize

    authorize(actor, permission)


# --- versions ----------------------------------------------------------------------------


def snapshot(
    employee: Employee,
    actor: Actor,
    section: str,
    changed: list[str],
    old: dict[str, Any],
    *,
    contract: dict[str, Any] | None = None,
) -> None:
    """Keep the employee's record as a version. `contract`: the changed contract's dates
    that are no field of the employee (its end of probation), kept beside the snapshot so
    the history and the change feed can show old and new."""
    EmployeeVersion.objects.create(
        tenant_id=employee.tenant_id,
        employee=employee,
        version=employee.version,
        section=section,
        changed_at=timezone.now(),
        actor_label=actor.label[:254],
        actor_user_id=actor.user_id,
        changed_fields=changed,
        snapshot={**plain_values(employee), **(contract or {})},
        sealed_snapshot=seal_snapshot(employee, sensitive_values(employee)),
        old_values={k: old.get(k) for k in changed if k not in SENSITIVE_FIELDS},
    )


def new_version(
    employee: Employee,
    actor: Actor,
    section: str,
    changed: list[str],
    old: dict[str, Any],
    *,
    contract: dict[str, Any] | None = None,
) -> None:
    """Bump the employee's version for a change made elsewhere (contract, wage) and keep it.
    `updated_at` moves too: the job data and wage the API shows on the employee come from
    there, and integrators sync with `?updated_since=`."""
    Employee.objects.filter(pk=employee.pk).update(
        version=F("version") + 1, updated_by=actor.label[:254], updated_at=timezone.now()
    )
    employee.refresh_from_db()
    snapshot(employee, actor, section, changed, old, contract=contract)


def collect(checks: Iterable[tuple[str, Callable[[], Any]]]) -> dict[str, Any]:
    """Run each field's cleaner; all errors together, by field, or the clean values."""
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, cleaner in checks:
        try:
            clean[name] = cleaner()
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean


def missing() -> Any:
    raise ValidationError(_("This field is required."))


def to_int(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def shown(name: str, value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict | Decimal):
        return str(value)
    return value
