"""Custom field definitions: the company's own fields on the HR file. The values live on
each employee (`Employee.custom_fields`, keyed by the definition's `key`), so the key and
the type never change once defined, a choice still in use is never removed, and deleting
a definition removes its values from every employee (kept in their version history).
`clean_custom_values` checks the values an employee is given against the definitions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.fields.json import KeyTransform
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.models import CustomFieldDefinition, Employee
from kluis.people.records import plain_values
from kluis.people.services._kit import collect, require_company, same_company, snapshot, to_int
from kluis.tenancy.models import Tenant

CHOICE = CustomFieldDefinition.FieldType.CHOICE
# What a change may touch; `key` and `field_type` are accepted only unchanged.
CHANGEABLE = ("label", "choices", "required", "position", "is_active")
# A custom field's key: what `define_custom_field` accepts, so anything else names no field.
KEY = re.compile(r"[a-z][a-z0-9_]{0,49}")


def possible_keys(values: Mapping[str, Any]) -> list[str]:
    """The keys of `values` that could name a custom field: only these are looked up, so a
    key no definition can have (a NUL byte, a lone surrogate) never reaches the database."""
    return [key for key in values if isinstance(key, str) and KEY.fullmatch(key)]


def _choice_list(choices: Any) -> list[str]:
    if choices is not None and not isinstance(choices, list | tuple):
        raise ValidationError(_("Give a list of choices."))
    cleaned = (v.text(choice, max_length=100) for choice in (choices or []))
    return [choice for choice in cleaned if choice]


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("Answer true or false."))
    return value


# The largest position the column holds on every database (a 32-bit integer).
MAX_POSITION = 2**31 - 1


def _position(value: Any) -> int:
    number = to_int(value)
    if isinstance(value, bool) or number is None or not 0 <= number <= MAX_POSITION:
        raise ValidationError(_("Use a whole number from 0 to %(max)d.") % {"max": MAX_POSITION})
    return number


def define_custom_field(
    actor: Actor,
    tenant: Tenant,
    *,
    key: str,
    label: str,
    field_type: str,
    choices: list[str] | None = None,
    required: bool = False,
) -> CustomFieldDefinition:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    errors: dict[str, list[str]] = {}
    key = v.text(key, max_length=50).lower()
    if not KEY.fullmatch(key):
        errors["key"] = [
            _("Use lowercase letters, digits and underscores, starting with a letter.")
        ]
    label = v.text(label, max_length=100)
    if not label:
        errors["label"] = [_("This field is required.")]
    if field_type not in {t.value for t in CustomFieldDefinition.FieldType}:
        errors["field_type"] = [_("Choose a type from the list.")]
    try:
        clean_choices = _choice_list(choices)
    except ValidationError as exc:
        errors["choices"] = exc.messages
        clean_choices = []
    if field_type == CHOICE and not clean_choices:
        errors["choices"] = [_("A choice field needs at least one choice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if CustomFieldDefinition.objects.for_tenant(tenant).filter(key=key).exists():
            raise ValidationError({"key": [_("Another custom field has this key.")]})
        position = CustomFieldDefinition.objects.for_tenant(tenant).count()
        definition = CustomFieldDefinition.objects.create(
            tenant=tenant,
            key=key,
            label=label,
            field_type=field_type,
            choices=clean_choices,
            required=required,
            position=position,
        )
        record(
            actor,
            "custom_field.defined",
            tenant=tenant,
            target=definition,
            changes={"key": {"old": None, "new": key}, "type": {"old": None, "new": field_type}},
        )
        emit("custom_field.created", tenant=tenant, target=definition)
    return definition


def _definition_values(definition: CustomFieldDefinition) -> dict[str, Any]:
    return {name: getattr(definition, name) for name in CHANGEABLE}


def _chosen(definition: CustomFieldDefinition, choices: list[str]) -> Counter[str]:
    """How many employees hold each of `choices` as their value of this field."""
    values = (
        Employee.objects.for_tenant(definition.tenant_id)
        .annotate(value=KeyTransform(definition.key, "custom_fields"))
        .filter(value__in=choices)
        .values_list("value", flat=True)
    )
    return Counter(str(value) for value in values)


def update_custom_field(
    actor: Actor,
    definition: CustomFieldDefinition,
    changes: Mapping[str, Any],
    *,
    precondition: Callable[[CustomFieldDefinition], None] | None = None,
) -> CustomFieldDefinition:
    """Change the label, choices, `required`, position or `is_active` of a definition.
    `key` and `field_type` may be sent but not changed (stored values depend on them); a
    choice that employees still hold cannot be removed (422 on choices)."""
    tenant = definition.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    cleaners: dict[str, Callable[[], Any]] = {
        "key": lambda: v.text(changes["key"], max_length=50).lower(),
        "field_type": lambda: v.text(changes["field_type"], max_length=10),
        "label": lambda: v.text(changes["label"], max_length=100, required=True),
        "choices": lambda: _choice_list(changes["choices"]),
        "required": lambda: _flag(changes["required"]),
        "position": lambda: _position(changes["position"]),
        "is_active": lambda: _flag(changes["is_active"]),
    }
    unknown = sorted(set(changes) - set(cleaners))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    clean = collect((name, cleaner) for name, cleaner in cleaners.items() if name in changes)
    with transaction.atomic():
        current = (
            CustomFieldDefinition.objects.for_tenant(tenant)
            .select_for_update()
            .get(pk=definition.pk)
        )
        if precondition is not None:
            precondition(current)
        errors: dict[str, list[str]] = {}
        if clean.pop("key", current.key) != current.key:
            errors["key"] = [_("The key cannot change; define a new field instead.")]
        if clean.pop("field_type", current.field_type) != current.field_type:
            errors["field_type"] = [_("The type cannot change; define a new field instead.")]
        choices = clean.get("choices", list(current.choices))
        if current.field_type == CHOICE and not choices:
            errors["choices"] = [_("A choice field needs at least one choice.")]
        elif current.field_type != CHOICE and choices != list(current.choices):
            errors["choices"] = [_("Only a choice field has choices.")]
        elif removed := [c for c in current.choices if c not in choices]:
            in_use = _chosen(current, removed)
            if in_use:
                count = sum(in_use.values())
                errors["choices"] = [
                    ngettext(
                        "%(choices)s is still the value of %(count)d employee; give them "
                        "another value first.",
                        "%(choices)s is still the value of %(count)d employees; give them "
                        "another value first.",
                        count,
                    )
                    % {"choices": ", ".join(sorted(in_use)), "count": count}
                ]
        if errors:
            raise ValidationError(errors)
        before = _definition_values(current)
        for name, value in clean.items():
            setattr(current, name, value)
        after = _definition_values(current)
        changed = sorted(name for name in after if after[name] != before[name])
        if not changed:
            return current
        current.save(update_fields=changed)
        record(
            actor,
            "custom_field.updated",
            tenant=tenant,
            target=current,
            changes=diff(before, after),
        )
        emit("custom_field.updated", tenant=tenant, target=current, payload={"fields": changed})
    return current


def delete_custom_field(
    actor: Actor,
    definition: CustomFieldDefinition,
    *,
    precondition: Callable[[CustomFieldDefinition], None] | None = None,
) -> None:
    """Delete a definition and its value on every employee. Each employee who had one gets
    a new version (the old value stays in their history) and an `employee.updated` event."""
    tenant = definition.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    with transaction.atomic():
        current = (
            CustomFieldDefinition.objects.for_tenant(tenant)
            .select_for_update()
            .get(pk=definition.pk)
        )
        if precondition is not None:
            precondition(current)
        holders = (
            Employee.objects.for_tenant(tenant)
            .select_for_update(of=("self",))
            .select_related("department", "team", "manager")
            .filter(custom_fields__has_key=current.key)
            .order_by("pk")
        )
        emptied: list[int] = []
        for holder in holders:
            before = plain_values(holder)
            values = {k: val for k, val in holder.custom_fields.items() if k != current.key}
            Employee.objects.filter(pk=holder.pk).update(
                custom_fields=values,
                version=F("version") + 1,
                updated_by=actor.label[:254],
                updated_at=timezone.now(),
            )
            holder.refresh_from_db()
            snapshot(holder, actor, "employee", ["custom_fields"], before)
            emit(
                "employee.updated",
                tenant=tenant,
                target=holder,
                payload={"fields": ["custom_fields"], "version": holder.version},
            )
            emptied.append(holder.pk)
        record(
            actor,
            "custom_field.deleted",
            tenant=tenant,
            target=current,
            changes=diff(
                {
                    "key": current.key,
                    "label": current.label,
                    "field_type": current.field_type,
                    "employees_with_a_value": emptied,
                },
                {},
            ),
        )
        emit(
            "custom_field.deleted",
            tenant=tenant,
            target=current,
            payload={"key": current.key, "employees": emptied},
        )
        current.delete()


# --- values on employees ------------------------------------------------------------------


def clean_custom_values(
    tenant: Tenant, values: Mapping[str, Any], current: dict[str, Any], *, hiring: bool
) -> dict[str, Any]:
    """The employee's custom values with `values` applied. A required field must have a
    value at hiring; on a change it may not be cleared, but an employee who had none
    before the field became required can still be changed in other fields.

    Inside a transaction the definitions of the fields written are locked first, as
    `update_custom_field` locks the one it changes: a choice cannot be removed while an
    employee is being given it (PostgreSQL; SQLite runs one write at a time anyway)."""
    if values and transaction.get_connection().in_atomic_block:
        list(
            CustomFieldDefinition.objects.for_tenant(tenant)
            .select_for_update()
            .filter(key__in=possible_keys(values))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    definitions = {
        d.key: d for d in CustomFieldDefinition.objects.for_tenant(tenant).filter(is_active=True)
    }
    result = dict(current)
    errors: dict[str, list[str]] = {}
    for key, raw in values.items():
        definition = definitions.get(key)
        if definition is None:
            errors[f"custom_fields.{key}"] = [_("There is no custom field %(key)s.") % {"key": key}]
            continue
        try:
            result[key] = _clean_custom_value(definition, raw)
        except ValidationError as exc:
            errors[f"custom_fields.{key}"] = exc.messages
    for key, definition in definitions.items():
        if definition.required and (hiring or key in values) and result.get(key) in (None, ""):
            errors.setdefault(f"custom_fields.{key}", [_("This field is required.")])
    if errors:
        raise ValidationError(errors)
    return result


# A custom number: digits before the decimal point and after it (a double holds 15).
NUMBER_DIGITS = 15
NUMBER_DECIMALS = 6


def _clean_custom_value(definition: CustomFieldDefinition, raw: Any) -> Any:
    if raw in (None, ""):
        return None
    kind = definition.field_type
    if kind == CustomFieldDefinition.FieldType.NUMBER:
        try:
            number = Decimal(str(raw).replace(",", "."))
        except Exception:
            raise ValidationError(_("Enter a number.")) from None
        if not number.is_finite():
            raise ValidationError(_("Enter a number."))
        number = number.normalize() if number else Decimal(0)  # -0 and 0.00 are 0
        exponent = int(number.as_tuple().exponent)
        digits = len(number.as_tuple().digits)
        if digits + exponent > NUMBER_DIGITS or -exponent > NUMBER_DECIMALS:
            raise ValidationError(
                _("Enter a number of at most %(digits)s digits and %(decimals)s decimals.")
                % {"digits": NUMBER_DIGITS, "decimals": NUMBER_DECIMALS}
            )
        return format(number, "f")  # one spelling per number: 44.0 -> 44
    if kind == CustomFieldDefinition.FieldType.DATE:
        day = v.date(raw)
        return day.isoformat() if day else None
    if kind == CustomFieldDefinition.FieldType.BOOLEAN:
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "ja", "oui", "on"}:
            return True
        if text in {"0", "false", "no", "nee", "non", "off"}:
            return False
        raise ValidationError(_("Answer yes or no."))
    if kind == CustomFieldDefinition.FieldType.CHOICE:
        if str(raw) not in definition.choices:
            raise ValidationError(
                _("Choose one of: %(options)s.") % {"options": ", ".join(definition.choices)}
            )
        return str(raw)
    return v.text(raw, max_length=500)
