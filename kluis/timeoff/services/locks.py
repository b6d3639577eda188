"""Month locks (a month closed for payroll) and the company's closing days.

Locking and unlocking each need a reason and are audited; while a month is locked no
leave request, cancellation, approval or sick period touching it can change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.tenancy.models import Tenant
from kluis.timeoff.models import ClosingDay, LeaveDay, MonthLock
from kluis.timeoff.services._kit import ConflictError, check_unlocked, check_version, same_company

MANAGE = "timeoff.manage"


def _reason(value: Any, field: str = "reason") -> str:
    reason = str(value or "").strip()
    if not reason:
        raise ValidationError({field: [_("Say why (it is kept in the audit log).")]})
    if len(reason) > 300:
        raise ValidationError({field: [_("Keep it under %(most)s characters.") % {"most": 300}]})
    return reason


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value.replace(day=1)
    text = str(value or "").strip()
    try:
        year, month = text.split("-")[:2]
        return dt.date(int(year), int(month), 1)
    except (TypeError, ValueError):
        raise ValidationError({"month": [_("Give the month as YYYY-MM.")]}) from None


def lock_month(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> MonthLock:
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    month = _month(data.get("month"))
    reason = _reason(data.get("reason"))
    if month > timezone.localdate().replace(day=1):
        raise ValidationError({"month": [_("Only a month that has begun can be locked.")]})
    with transaction.atomic():
        if MonthLock.objects.for_tenant(tenant).filter(month=month, unlocked_at=None).exists():
            raise ConflictError(_("This month is already locked."))
        try:
            with transaction.atomic():
                lock = MonthLock.objects.create(
                    tenant=tenant,
                    month=month,
                    reason=reason,
                    locked_by=actor.label[:254],
                    locked_at=timezone.now(),
                )
        except IntegrityError:
            raise ConflictError(_("This month is already locked.")) from None
        record(
            actor,
            "month.locked",
            tenant=tenant,
            target=lock,
            changes={
                "month": {"old": None, "new": month.strftime("%Y-%m")},
                "reason": {"old": None, "new": reason},
            },
        )
        emit("month.locked", tenant=tenant, target=lock)
    return lock


def unlock_month(
    actor: Actor, lock: MonthLock, *, reason: Any, expected_version: int | None = None
) -> MonthLock:
    same_company(actor, lock.tenant_id)
    authorize(actor, MANAGE)
    why = _reason(reason)
    with transaction.atomic():
        locked = MonthLock.objects.select_for_update().select_related("tenant").get(pk=lock.pk)
        check_version(locked, expected_version)
        if locked.unlocked_at is not None:
            raise ConflictError(_("This month is not locked."))
        locked.unlocked_at = timezone.now()
        locked.unlocked_by = actor.label[:254]
        locked.unlock_reason = why
        locked.version += 1
        locked.save()
        record(
            actor,
            "month.unlocked",
            tenant=locked.tenant,
            target=locked,
            changes={
                "month": {"old": locked.month.strftime("%Y-%m"), "new": None},
                "reason": {"old": None, "new": why},
            },
        )
        emit("month.unlocked", tenant=locked.tenant, target=locked)
    return locked


def add_closing_day(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> ClosingDay:
    """A day the company is closed: leave requested later never counts it. Refused while
    approved or pending leave falls on it (cancel or change that first)."""
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    day = data.get("date")
    errors: dict[str, list[str]] = {}
    if not isinstance(day, dt.date):
        errors["date"] = [_("Enter a valid date.")]
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 100:
        errors["name"] = [_("Keep it under %(most)s characters.") % {"most": 100}]
    if errors:
        raise ValidationError(errors)
    assert isinstance(day, dt.date)
    check_unlocked(tenant, day, day, "date")
    with transaction.atomic():
        if ClosingDay.objects.for_tenant(tenant).filter(date=day).exists():
            raise ValidationError({"date": [_("This day is already a closing day.")]})
        taken = LeaveDay.objects.for_tenant(tenant).filter(date=day, active=True).count()
        if taken:
            raise ValidationError(
                {
                    "date": [
                        _("%(count)s leave requests fall on %(date)s; change them first.")
                        % {"count": taken, "date": date_format(day, "DATE_FORMAT")}
                    ]
                }
            )
        closing = ClosingDay.objects.create(tenant=tenant, date=day, name=name)
        record(
            actor,
            "closing_day.created",
            tenant=tenant,
            target=closing,
            changes={
                "date": {"old": None, "new": day.isoformat()},
                "name": {"old": None, "new": name},
            },
        )
        emit("closing_day.created", tenant=tenant, target=closing)
    return closing


def remove_closing_day(
    actor: Actor,
    closing: ClosingDay,
    *,
    precondition: Callable[[ClosingDay], None] | None = None,
) -> None:
    """Open a closing day again (HR only; not inside a locked month). `precondition` (the
    API's If-Match) is checked on the row as locked: a stale one removes nothing."""
    same_company(actor, closing.tenant_id)
    authorize(actor, MANAGE)
    with transaction.atomic():
        locked = ClosingDay.objects.select_for_update().select_related("tenant").get(pk=closing.pk)
        if precondition is not None:
            precondition(locked)
        check_unlocked(locked.tenant_id, locked.date, locked.date, "date")
        record(
            actor,
            "closing_day.deleted",
            tenant=locked.tenant,
            target=locked,
            changes={"date": {"old": locked.date.isoformat(), "new": None}},
        )
        emit("closing_day.deleted", tenant=locked.tenant, target=locked)
        locked.delete()
