"""Leave types and the company's calendar settings (country, region, expiry warnings),
and the per-country defaults a new company starts with."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.tenancy.models import Tenant
from kluis.timeoff.calendar import COUNTRIES, regions_of
from kluis.timeoff.calendar import settings_of as calendar_settings
from kluis.timeoff.models import (
    Accrual,
    Approval,
    Category,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    ReasonVisibility,
    Rule,
    TimeoffSettings,
    Unit,
)
from kluis.timeoff.services._kit import changes_of, check_version, same_company
from kluis.timeoff.services.type_defaults import defaults_for

MANAGE = "timeoff.manage"
FIELDS = (
    "code",
    "name",
    "category",
    "unit",
    "rule",
    "yearly_entitlement",
    "accrual",
    "carry_over_limit",
    "expires_after_months",
    "allow_negative",
    "approval",
    "reason_visible_to",
    "colour",
    "is_active",
    "position",
)
CODE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class LeaveTypeInUseError(Exception):
    """Requests or balance lines name the type: it is turned off, never deleted (409)."""


def _choice(options: list[str]) -> Callable[[Any], Any]:
    def clean(value: Any) -> Any:
        if value not in options:
            raise ValidationError(_("Choose one from the list."))
        return value

    return clean


def _amount(*, nullable: bool, most: int = 10000) -> Callable[[Any], Any]:
    def clean(value: Any) -> Any:
        if value in (None, "") and nullable:
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite() or number < 0 or number > most:
            raise ValidationError(_("Enter a number between 0 and %(most)s.") % {"most": most})
        return number.quantize(Decimal("0.01"))

    return clean


def _months(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        months = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number of months.")) from None
    if not 0 <= months <= 120:
        raise ValidationError(_("Enter between 0 and 120 months."))
    return months


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("Enter true or false."))
    return value


def _text(
    most: int, *, pattern: re.Pattern[str] | None = None, message: str = ""
) -> Callable[[Any], str]:
    def clean(value: Any) -> str:
        text = str(value or "").strip()
        if not text:
            raise ValidationError(_("This field is required."))
        if len(text) > most:
            raise ValidationError(_("Keep it under %(most)s characters.") % {"most": most})
        if pattern is not None and not pattern.match(text):
            raise ValidationError(message)
        return text

    return clean


def _position(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a whole number.")) from None
    if not 0 <= number <= 10000:
        raise ValidationError(_("Enter between 0 and 10000."))
    return number


CLEANERS: dict[str, Callable[[Any], Any]] = {
    "code": _text(40, pattern=CODE_RE, message=_("Use lowercase letters, digits, - and _.")),
    "name": _text(100),
    "category": _choice(Category.values),
    "unit": _choice(Unit.values),
    "rule": _choice(Rule.values),
    "yearly_entitlement": _amount(nullable=False, most=366),
    "accrual": _choice(Accrual.values),
    "carry_over_limit": _amount(nullable=True, most=366),
    "expires_after_months": _months,
    "allow_negative": _flag,
    "approval": _choice(Approval.values),
    "reason_visible_to": _choice(ReasonVisibility.values),
    "colour": _text(7, pattern=COLOUR_RE, message=_("Use a colour like #2563eb.")),
    "is_active": _flag,
    "position": _position,
}


def _clean(data: Mapping[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(FIELDS))
    errors: dict[str, list[str]] = {name: [_("This field cannot be set here.")] for name in unknown}
    clean: dict[str, Any] = {}
    for name, value in data.items():
        if name in CLEANERS:
            try:
                clean[name] = CLEANERS[name](value)
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return clean


def _values(leave_type: LeaveType) -> dict[str, Any]:
    return {name: getattr(leave_type, name) for name in FIELDS}


def create_leave_type(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> LeaveType:
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    missing = [name for name in ("code", "name") if not data.get(name)]
    if missing:
        raise ValidationError({name: [_("This field is required.")] for name in missing})
    clean = _clean(data)
    with transaction.atomic():
        if LeaveType.objects.for_tenant(tenant).filter(code=clean["code"]).exists():
            raise ValidationError({"code": [_("Another leave type has this code.")]})
        leave_type = LeaveType.objects.create(tenant=tenant, **clean)
        record(
            actor,
            "leave_type.created",
            tenant=tenant,
            target=leave_type,
            changes=changes_of({}, _values(leave_type)),
        )
        emit("leave_type.created", tenant=tenant, target=leave_type)
    return leave_type


def update_leave_type(
    actor: Actor,
    leave_type: LeaveType,
    changes: Mapping[str, Any],
    *,
    precondition: Callable[[LeaveType], None] | None = None,
    expected_version: int | None = None,
) -> LeaveType:
    same_company(actor, leave_type.tenant_id)
    authorize(actor, MANAGE)
    clean = _clean(changes)
    with transaction.atomic():
        locked = (
            LeaveType.objects.select_for_update().select_related("tenant").get(pk=leave_type.pk)
        )
        if precondition is not None:
            precondition(locked)
        check_version(locked, expected_version)
        others = LeaveType.objects.for_tenant(locked.tenant_id).exclude(pk=locked.pk)
        if "code" in clean and others.filter(code=clean["code"]).exists():
            raise ValidationError({"code": [_("Another leave type has this code.")]})
        old = _values(locked)
        changed = {k: v for k, v in clean.items() if old[k] != v}
        if not changed:
            return locked
        for name, value in changed.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        record(
            actor,
            "leave_type.updated",
            tenant=locked.tenant,
            target=locked,
            changes=changes_of(old, changed),
        )
        emit(
            "leave_type.updated",
            tenant=locked.tenant,
            target=locked,
            payload={"fields": sorted(changed)},
        )
    return locked


def in_use(leave_type: LeaveType) -> str:
    """Why the type cannot be deleted ("" when it can): requests or balance lines name it,
    so it is archived (`is_active` false) instead and its history stays."""
    requests = LeaveRequest.objects.for_tenant(leave_type.tenant_id).filter(leave_type=leave_type)
    lines = LedgerEntry.objects.for_tenant(leave_type.tenant_id).filter(leave_type=leave_type)
    count = requests.count() + lines.count()
    if not count:
        return ""
    return ngettext(
        "%(count)d leave request or balance line uses this leave type: archive it instead, "
        "so their history stays.",
        "%(count)d leave requests and balance lines use this leave type: archive it "
        "instead, so their history stays.",
        count,
    ) % {"count": count}


def delete_leave_type(
    actor: Actor, leave_type: LeaveType, *, precondition: Callable[[LeaveType], None] | None = None
) -> None:
    same_company(actor, leave_type.tenant_id)
    authorize(actor, MANAGE)
    with transaction.atomic():
        locked = (
            LeaveType.objects.select_for_update().select_related("tenant").get(pk=leave_type.pk)
        )
        if precondition is not None:
            precondition(locked)
        refusal = in_use(locked)
        if refusal:
            raise LeaveTypeInUseError(refusal)
        record(
            actor,
            "leave_type.deleted",
            tenant=locked.tenant,
            target=locked,
            changes={"code": {"old": locked.code, "new": None}},
        )
        emit("leave_type.deleted", tenant=locked.tenant, target=locked)
        locked.delete()


def change_settings(actor: Actor, tenant: Tenant, changes: Mapping[str, Any]) -> TimeoffSettings:
    """The country and region whose public holidays apply, and the expiry warning."""
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    if "country" in changes:
        if changes["country"] not in COUNTRIES:
            errors["country"] = [_("Choose one from the list.")]
        else:
            clean["country"] = changes["country"]
    if "region" in changes:
        region = str(changes["region"] or "").strip().upper()
        country = clean.get("country") or calendar_settings(tenant).country
        known = {code.upper() for code in regions_of(country) if len(code) <= 10}
        if region and region not in known:
            errors["region"] = [_("Choose a region of the country, or none.")]
        clean["region"] = region
    if "warn_days_before_expiry" in changes:
        try:
            days = int(changes["warn_days_before_expiry"])
        except (TypeError, ValueError):
            days = -1
        if not 7 <= days <= 365:
            errors["warn_days_before_expiry"] = [_("Enter between 7 and 365 days.")]
        clean["warn_days_before_expiry"] = days
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        config, _made = TimeoffSettings.objects.select_for_update().get_or_create(tenant=tenant)
        old = {name: getattr(config, name) for name in clean}
        changed = {k: v for k, v in clean.items() if old[k] != v}
        if not changed:
            return config
        for name, value in changed.items():
            setattr(config, name, value)
        config.save()
        record(
            actor,
            "timeoff_settings.updated",
            tenant=tenant,
            target=config,
            changes=changes_of(old, changed),
        )
        emit(
            "timeoff_settings.updated",
            tenant=tenant,
            target=config,
            payload={"fields": sorted(changed)},
        )
    return config


def install_defaults(actor: Actor, tenant: Tenant, *, country: str) -> list[LeaveType]:
    """A new company's calendar: its country (public holidays) and the leave types that
    country's law and custom suggest. Runs inside the company's creation."""
    same_company(actor, tenant)
    if not actor.is_system:
        authorize(actor, MANAGE)
    country = country if country in COUNTRIES else "BE"
    with transaction.atomic():
        config, _made = TimeoffSettings.objects.update_or_create(
            tenant=tenant, defaults={"country": country}
        )
        made = [
            LeaveType.objects.create(tenant=tenant, **kind)
            for kind in defaults_for(country)
            if not LeaveType.objects.for_tenant(tenant).filter(code=kind["code"]).exists()
        ]
        record(
            actor,
            "timeoff.defaults_installed",
            tenant=tenant,
            target=config,
            changes={
                "country": {"old": None, "new": country},
                "leave_types": {"old": None, "new": [t.code for t in made]},
            },
        )
    return made
