"""HR's writes to a balance: a correction (a line of its own, never an edit), a Belgian
joiner's holiday certificate (the year is granted again with it) and Dutch statutory leave
that could not reasonably be taken (it keeps 5 years). Each authorised (timeoff.manage),
validated, written in one transaction and audited. The year's entitlements themselves are
written by `grant_year` (entitlements.py); expiry notices and expiries by expiry.py."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.people.models import Employee
from kluis.timeoff import calendar
from kluis.timeoff.law.entitlement import BE_MAX_DAYS
from kluis.timeoff.law.ledger import nl_statutory_extended
from kluis.timeoff.law.schedule import CENT, hours_per_day, period_on
from kluis.timeoff.models import (
    BalanceCorrection,
    EntryKind,
    HolidayCertificate,
    LeaveType,
    LedgerEntry,
    Rule,
    Unit,
)
from kluis.timeoff.services._kit import check_unlocked, same_company
from kluis.timeoff.services.entitlements import MANAGE, grant_year, tranche_of

MOST_HOURS = Decimal("10000")
STATUTORY = re.compile(r"^(\d{4})-statutory$")


def _text(value: Any, field: str, most: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("Say why (it is kept in the audit log).")]})
    if len(text) > most:
        raise ValidationError({field: [_("Keep it under %(most)s characters.") % {"most": most}]})
    return text


def _number(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if not number.is_finite():
        raise ValidationError({field: [_("Enter a number.")]})
    return number


def hours_of_day(employee: Employee, on: dt.date) -> Decimal:
    """The hours of one of the employee's working days on `on` (their latest contract when
    none covers it; 8 without any)."""
    periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
    period = period_on(on, periods) or (periods[-1] if periods else None)
    per_day = hours_per_day(period) if period is not None else Decimal(0)
    return per_day or Decimal("8")


def _same_type(employee: Employee, leave_type: LeaveType) -> None:
    if leave_type.tenant_id != employee.tenant_id or not leave_type.counts_balance:
        raise ValidationError({"leave_type": [_("Choose one from the list.")]})


def correct_balance(
    actor: Actor, employee: Employee, leave_type: LeaveType, data: Mapping[str, Any]
) -> LedgerEntry:
    """A correction line: `hours` (signed), or `days` for a type counted in days (in the
    employee's working days of the effective date), `effective` (today by default), a
    `note` saying why, optionally the `tranche` it belongs to. Refused inside a locked
    month."""
    same_company(actor, employee.tenant_id)
    authorize(actor, MANAGE)
    _same_type(employee, leave_type)
    effective = data.get("effective") or timezone.localdate()
    if not isinstance(effective, dt.date):
        raise ValidationError({"effective": [_("Enter a valid date.")]})
    note = _text(data.get("note"), "note", 300)
    tranche = _text(data.get("tranche"), "tranche", 30, required=False)
    if data.get("hours") not in (None, ""):
        hours = _number(data.get("hours"), "hours")
        field = "hours"
    elif data.get("days") not in (None, "") and leave_type.unit == Unit.DAYS:
        hours = _number(data.get("days"), "days") * hours_of_day(employee, effective)
        field = "days"
    else:
        field = "days" if leave_type.unit == Unit.DAYS else "hours"
        raise ValidationError({field: [_("Enter a number.")]})
    hours = hours.quantize(CENT)
    if hours == 0:
        raise ValidationError({field: [_("A correction adds or removes something.")]})
    if abs(hours) > MOST_HOURS:
        raise ValidationError({field: [_("That is more than a working life's leave.")]})
    check_unlocked(employee.tenant_id, effective, effective, field="effective")
    expires_on = None
    if not tranche and hours > 0:
        # Added hours land in the year's own tranche, with its expiry.
        tranche, expires_on = tranche_of(
            leave_type, calendar.settings_of(employee.tenant_id).country, effective.year
        )
    with transaction.atomic():
        entry = LedgerEntry.objects.create(
            tenant_id=employee.tenant_id,
            employee=employee,
            leave_type=leave_type,
            kind=EntryKind.CORRECTION,
            hours=hours,
            effective=effective,
            year=effective.year,
            tranche=tranche,
            expires_on=expires_on,
            note=note,
            actor_label=actor.label[:254],
        )
        record(
            actor,
            "balance.corrected",
            tenant=employee.tenant,
            target=entry,
            changes={
                "leave_type": {"old": None, "new": leave_type.code},
                "kind": {"old": None, "new": EntryKind.CORRECTION},
                "hours": {"old": None, "new": str(hours)},
                "effective": {"old": None, "new": effective.isoformat()},
                "note": {"old": None, "new": note},
            },
        )
        emit(
            "balance.corrected",
            tenant=employee.tenant,
            target=BalanceCorrection(pk=entry.pk),  # the row as /balance-corrections/ serves it
            payload={"employee": employee.pk, "leave_type": leave_type.pk},
        )
    return entry


def record_certificate(
    actor: Actor, employee: Employee, year: int, days: Any, employer: str = ""
) -> HolidayCertificate:
    """A Belgian joiner's holiday certificate from their previous employer (the days it
    shows for `year`); replaces an earlier one of the same year, and the employee's year
    is granted again with it."""
    same_company(actor, employee.tenant_id)
    authorize(actor, MANAGE)
    count = _number(days, "days")
    if count < 0 or count > BE_MAX_DAYS:
        raise ValidationError(
            {"days": [_("A certificate shows 0 to %(most)s days.") % {"most": BE_MAX_DAYS}]}
        )
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": [_("Enter a valid year.")]})
    employer = _text(employer, "employer", 200, required=False)
    with transaction.atomic():
        found = HolidayCertificate.objects.for_tenant(employee.tenant_id).filter(
            employee=employee, year=year
        )
        old = found.first()
        certificate, _made = HolidayCertificate.objects.update_or_create(
            tenant_id=employee.tenant_id,
            employee=employee,
            year=year,
            defaults={"days": count.quantize(CENT), "employer": employer},
        )
        record(
            actor,
            "holiday_certificate.recorded",
            tenant=employee.tenant,
            target=certificate,
            changes={
                "year": {"old": None, "new": year},
                "days": {"old": str(old.days) if old else None, "new": str(certificate.days)},
                "employer": {"old": old.employer if old else None, "new": employer},
            },
        )
        grant_year(actor, employee.tenant, year, employee_ids=[employee.pk])
        emit(
            "holiday_certificate.recorded",
            tenant=employee.tenant,
            target=certificate,
            payload={"employee": employee.pk, "year": year},
        )
    return certificate


def mark_not_takeable(
    actor: Actor, employee: Employee, leave_type: LeaveType, tranche: str, reason: Any
) -> LedgerEntry:
    """Dutch statutory leave the employee could not reasonably take (long illness, the
    employer refused): the tranche keeps 5 years after its year (BW 7:640a), recorded as a
    0-hour correction naming the tranche with its new expiry date. What already expired
    of it comes back."""
    same_company(actor, employee.tenant_id)
    authorize(actor, MANAGE)
    _same_type(employee, leave_type)
    why = _text(reason, "reason", 300)
    match = STATUTORY.match(str(tranche or ""))
    if leave_type.rule != Rule.NL_STATUTORY or match is None:
        raise ValidationError({"tranche": [_("Only Dutch statutory leave keeps 5 years.")]})
    lines = LedgerEntry.objects.for_tenant(employee.tenant_id).filter(
        employee=employee, leave_type=leave_type, tranche=tranche
    )
    if not lines.exists():
        raise ValidationError({"tranche": [_("This balance has no such tranche.")]})
    until = nl_statutory_extended(int(match.group(1)))
    today = timezone.localdate()
    check_unlocked(employee.tenant_id, today, today, field="effective")
    expired = lines.filter(kind=EntryKind.EXPIRY).aggregate(total=Sum("hours"))["total"]
    with transaction.atomic():
        common = {
            "tenant_id": employee.tenant_id,
            "employee": employee,
            "leave_type": leave_type,
            "kind": EntryKind.CORRECTION,
            "effective": today,
            "year": today.year,
            "tranche": tranche,
            "expires_on": until,
            "actor_label": actor.label[:254],
        }
        entry = LedgerEntry.objects.create(
            hours=Decimal("0.00"), note=f"not takeable: {why}"[:300], **common
        )
        if expired:
            LedgerEntry.objects.create(
                hours=-expired, note=f"expiry reversed: {why}"[:300], **common
            )
        record(
            actor,
            "balance.extended",
            tenant=employee.tenant,
            target=entry,
            changes={
                "leave_type": {"old": None, "new": leave_type.code},
                "tranche": {"old": None, "new": tranche},
                "expires_on": {"old": None, "new": until.isoformat()},
                "reason": {"old": None, "new": why},
            },
        )
        emit(
            "balance.corrected",
            tenant=employee.tenant,
            target=BalanceCorrection(pk=entry.pk),  # the row as /balance-corrections/ serves it
            payload={"employee": employee.pk, "leave_type": leave_type.pk},
        )
    return entry
