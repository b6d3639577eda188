"""What every time off service shares: the company check, the month lock, keeping an
entry's history, and showing values in history and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.tenancy.models import Tenant
from kluis.timeoff.models import Absence, EntryVersion, LeaveRequest, MonthLock


class LockedMonthError(ValidationError):
    """A change inside a month HR closed for payroll."""


class ConflictError(Exception):
    """The entry's state refuses this (already decided, not enough balance left at the
    moment of approval): the API answers 409 with the message."""


def same_company(actor: Actor, tenant: Tenant | int) -> None:
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant_id):
        raise PermissionDenied(_("Not a member of this company."))


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def check_unlocked(tenant: Tenant | int, first: dt.date, last: dt.date, field: str = "") -> None:
    """Refused when a day between `first` and `last` lies in a locked month."""
    locked = (
        MonthLock.objects.for_tenant(tenant)
        .filter(unlocked_at=None, month__gte=month_of(first), month__lte=month_of(last))
        .order_by("month")
        .values_list("month", flat=True)
        .first()
    )
    if locked is not None:
        message = _(
            "%(month)s is locked for payroll: nothing in it can change until HR unlocks it."
        ) % {"month": date_format(locked, "YEAR_MONTH_FORMAT")}
        raise LockedMonthError({field: [message]} if field else message)


def shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def keep_version(
    entry: LeaveRequest | Absence,
    actor: Actor,
    action: str,
    *,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    comment: str = "",
) -> EntryVersion:
    """One step of the entry's own history (the entry's version after it)."""
    old, new = old or {}, new or {}
    fields = sorted(set(old) | set(new))
    return EntryVersion.objects.create(
        tenant_id=entry.tenant_id,
        request=entry if isinstance(entry, LeaveRequest) else None,
        absence=entry if isinstance(entry, Absence) else None,
        version=entry.version,
        action=action,
        changed_at=timezone.now(),
        actor_label=actor.label[:254],
        changed_fields=fields,
        old_values={k: shown(v) for k, v in old.items()},
        new_values={k: shown(v) for k, v in new.items()},
        comment=comment,
    )


def changes_of(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"old": .., "new": ..}} of the fields that differ (for the audit log)."""
    return {
        name: {"old": shown(old.get(name)), "new": shown(value)}
        for name, value in new.items()
        if old.get(name) != value
    }


def announce(name: str, entry: LeaveRequest | Absence, fields: list[str] | None = None) -> None:
    """The entry's domain event (webhooks), naming its employee, and for `*.updated` the
    changed fields."""
    from kluis.integrations.events import emit

    payload: dict[str, Any] = {"employee": entry.employee_id}
    if fields is not None:
        payload["fields"] = sorted(fields)
    emit(name, tenant=entry.tenant, target=entry, payload=payload)


class StaleEntryError(Exception):
    """Someone changed the entry since the client read it (the API answers 412)."""

    def __init__(self, version: int) -> None:
        super().__init__(
            _(
                "Someone changed this since you loaded it (now version %(version)s); "
                "reload and try again."
            )
            % {"version": version}
        )
        self.version = version


def check_version(row: Any, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleEntryError(row.version)
