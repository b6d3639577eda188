"""Sick periods (and other medical absences): registered by the employee or HR, open-ended
until closed, extended or shortened; a sick day inside approved leave gives that leave day
back. The reason and note are sealed and shown only with `timeoff.view_sickness`; the
audit log and the history name them as changed, never their values."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import MASK, record
from kluis.crypto import vault
from kluis.people.models import Employee
from kluis.people.permissions import authorize_on, can_on
from kluis.timeoff import calendar, dates, links, notifications
from kluis.timeoff.law.schedule import period_on
from kluis.timeoff.models import Absence, AbsenceKind
from kluis.timeoff.services import ledger
from kluis.timeoff.services._kit import (
    ConflictError,
    announce,
    changes_of,
    check_unlocked,
    check_version,
    keep_version,
    same_company,
)

REGISTER = "timeoff.register_sickness"
SEE = "timeoff.view_sickness"
REASON_PURPOSE = "timeoff.absence.reason"
NOTE_PURPOSE = "timeoff.absence.note"
SEALED = ("reason", "note")
FIELDS = ("kind", "start_date", "end_date", "reason", "note")


def reason_of(actor: Actor, absence: Absence) -> tuple[str, str] | None:
    """The reason and note, for a reader allowed to see them (None otherwise)."""
    if not can_on(actor, SEE, absence.employee):
        return None
    return (
        vault.unseal(absence.tenant_id, REASON_PURPOSE, absence.reason_sealed or None) or "",
        vault.unseal(absence.tenant_id, NOTE_PURPOSE, absence.note_sealed or None) or "",
    )


def _sealed(tenant_id: int, purpose: str, text: str) -> str:
    return vault.seal(tenant_id, purpose, text) or "" if text else ""


def _clean(employee: Employee, data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    kind = data.get("kind") or AbsenceKind.SICKNESS
    if kind not in AbsenceKind.values:
        errors["kind"] = [_("Choose one from the list.")]
    start, end = data.get("start_date"), data.get("end_date")
    if not isinstance(start, dt.date):
        errors["start_date"] = [_("Enter a valid date.")]
    if end is not None and not isinstance(end, dt.date):
        errors["end_date"] = [_("Enter a valid date.")]
    if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
        errors["end_date"] = [_("The last day cannot be before the first day.")]
    dates.check_range(errors, start, end)
    if (
        "start_date" not in errors
        and isinstance(start, dt.date)
        and start > dt.date.today() + dt.timedelta(days=31)
    ):
        errors["start_date"] = [_("A sick period starts at most a month ahead.")]
    reason = str(data.get("reason") or "").strip()
    note = str(data.get("note") or "").strip()
    if len(reason) > 500:
        errors["reason"] = [_("Keep the reason under 500 characters.")]
    if len(note) > 2000:
        errors["note"] = [_("Keep the note under 2,000 characters.")]
    if not errors and isinstance(start, dt.date):
        periods = calendar.work_periods(employee.tenant_id, [employee.pk])[employee.pk]
        if period_on(start, periods) is None:
            errors["start_date"] = [
                _("%(name)s is not employed on %(date)s.")
                % {"name": employee.display_name, "date": date_format(start, "DATE_FORMAT")}
            ]
    if errors:
        raise ValidationError(errors)
    return {"kind": kind, "start_date": start, "end_date": end, "reason": reason, "note": note}


def _check_overlap(
    employee: Employee, start: dt.date, end: dt.date | None, besides: int | None
) -> None:
    others = Absence.objects.for_tenant(employee.tenant_id).filter(employee_id=employee.pk)
    if besides is not None:
        others = others.exclude(pk=besides)
    others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        others = others.filter(start_date__lte=end)
    clash = others.order_by("start_date").first()
    if clash is not None:
        raise ValidationError(
            {
                "start_date": [
                    _("This overlaps another absence from %(start)s.")
                    % {"start": date_format(clash.start_date, "DATE_FORMAT")}
                ]
            }
        )


def _plain(absence: Absence) -> dict[str, Any]:
    return {"kind": absence.kind, "start_date": absence.start_date, "end_date": absence.end_date}


def _masked(changed: list[str]) -> dict[str, dict[str, str]]:
    return {name: {"old": MASK, "new": MASK} for name in changed if name in SEALED}


def register_absence(actor: Actor, employee: Employee, data: Mapping[str, Any]) -> Absence:
    same_company(actor, employee.tenant_id)
    authorize_on(actor, REGISTER, employee)
    clean = _clean(employee, data)
    check_unlocked(
        employee.tenant_id,
        clean["start_date"],
        clean["end_date"] or clean["start_date"],
        "start_date",
    )
    tenant_id = employee.tenant_id
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        _check_overlap(employee, clean["start_date"], clean["end_date"], None)
        absence = Absence.objects.create(
            tenant_id=tenant_id,
            employee=employee,
            kind=clean["kind"],
            start_date=clean["start_date"],
            end_date=clean["end_date"],
            reason_sealed=_sealed(tenant_id, REASON_PURPOSE, clean["reason"])
            if clean["reason"]
            else "",
            note_sealed=_sealed(tenant_id, NOTE_PURPOSE, clean["note"]) if clean["note"] else "",
            registered_by=actor.label[:254],
        )
        given = [name for name in SEALED if clean[name]]
        keep_version(
            absence, actor, "registered", new={**_plain(absence), **dict.fromkeys(given, MASK)}
        )
        record(
            actor,
            "absence.started",
            tenant=employee.tenant,
            target=absence,
            changes={**changes_of({}, _plain(absence)), **_masked(given)},
        )
        announce("absence.started", absence)
        if absence.end_date is not None:
            announce("absence.ended", absence)
        ledger.settle_sick_returns(actor, tenant_id, employee.pk)
        notifications.absence_registered(absence, url=links.absence_page(absence.pk), started=True)
    return absence


def update_absence(
    actor: Actor,
    absence: Absence,
    changes: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> Absence:
    """Extend, shorten, close (an end date) or reopen (no end date) a sick period, or
    change its kind, reason or note."""
    same_company(actor, absence.tenant_id)
    employee = absence.employee
    authorize_on(actor, REGISTER, employee)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    if any(name in changes for name in SEALED) and not can_on(actor, SEE, employee):
        raise ValidationError(
            {name: [_("You cannot change this.")] for name in SEALED if name in changes}
        )
    with transaction.atomic():
        Employee.objects.select_for_update().filter(pk=employee.pk).first()
        locked = Absence.objects.select_for_update().get(pk=absence.pk)
        check_version(locked, expected_version)
        shown = reason_of(Actor.system("absence", None), locked) or ("", "")
        old = {**_plain(locked), "reason": shown[0], "note": shown[1]}
        clean = _clean(employee, {**old, **changes})
        if clean["start_date"] < locked.start_date or clean["start_date"] > locked.start_date:
            check_unlocked(
                locked.tenant_id,
                min(clean["start_date"], locked.start_date),
                max(clean["start_date"], locked.start_date),
                "start_date",
            )
        old_end, new_end = locked.end_date, clean["end_date"]
        if old_end != new_end:
            far = dt.date.max
            low, high = sorted([old_end or far, new_end or far])
            check_unlocked(locked.tenant_id, low, high if high != far else low, "end_date")
        _check_overlap(employee, clean["start_date"], clean["end_date"], locked.pk)
        changed = [name for name in FIELDS if clean[name] != old[name]]
        if not changed:
            return locked
        locked.kind = clean["kind"]
        locked.start_date = clean["start_date"]
        locked.end_date = clean["end_date"]
        if "reason" in changed:
            locked.reason_sealed = (
                _sealed(locked.tenant_id, REASON_PURPOSE, clean["reason"])
                if clean["reason"]
                else ""
            )
        if "note" in changed:
            locked.note_sealed = (
                _sealed(locked.tenant_id, NOTE_PURPOSE, clean["note"]) if clean["note"] else ""
            )
        locked.version += 1
        locked.save()
        plain_changed = [name for name in changed if name not in SEALED]
        keep_version(
            locked,
            actor,
            "changed",
            old={**{k: old[k] for k in plain_changed}, **{k: MASK for k in changed if k in SEALED}},
            new={
                **{k: clean[k] for k in plain_changed},
                **{k: MASK for k in changed if k in SEALED},
            },
        )
        record(
            actor,
            "absence.updated",
            tenant=employee.tenant,
            target=locked,
            changes={**changes_of(old, {k: clean[k] for k in plain_changed}), **_masked(changed)},
        )
        announce("absence.updated", locked, changed)
        if old_end is None and new_end is not None:
            announce("absence.ended", locked)
            notifications.absence_registered(
                locked, url=links.absence_page(locked.pk), started=False
            )
        ledger.settle_sick_returns(actor, locked.tenant_id, employee.pk)
    return locked


def end_absence(actor: Actor, absence: Absence, end_date: dt.date, **kwargs: Any) -> Absence:
    if absence.end_date is not None:
        raise ConflictError(_("This absence has already ended."))
    return update_absence(actor, absence, {"end_date": end_date}, **kwargs)


def delete_absence(
    actor: Actor,
    absence: Absence,
    *,
    precondition: Callable[[Absence], None] | None = None,
    expected_version: int | None = None,
) -> None:
    """Remove a sick period registered by mistake (HR only): leave days it gave back are
    taken again. `precondition` (the API's If-Match) and `expected_version` are checked on
    the row as locked, so nothing is removed that changed since the caller read it."""
    same_company(actor, absence.tenant_id)
    from kluis.access.authorization import authorize

    authorize(actor, "timeoff.manage")
    with transaction.atomic():
        locked = (
            Absence.objects.select_for_update()
            .select_related("employee", "tenant")
            .get(pk=absence.pk)
        )
        if precondition is not None:
            precondition(locked)
        check_version(locked, expected_version)
        check_unlocked(locked.tenant_id, locked.start_date, locked.end_date or locked.start_date)
        record(
            actor,
            "absence.deleted",
            tenant=locked.tenant,
            target=locked,
            changes={
                name: {"old": change["new"], "new": None}
                for name, change in changes_of({}, _plain(locked)).items()
                if change["new"] is not None
            },
        )
        announce("absence.deleted", locked)
        employee_id = locked.employee_id
        locked.delete()
        ledger.settle_sick_returns(actor, absence.tenant_id, employee_id)
