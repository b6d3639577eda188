"""Departments, teams, custom field definitions and the company's self-service settings."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.fields import (
    DEFAULT_SELF_EDITABLE,
    SELF_EDITABLE_CHOICES,
)
from kluis.people.models import (
    CustomFieldDefinition,
    Department,
    PeopleSettings,
    Team,
)
from kluis.people.servicekit import (
    require_company,
    same_company,
)
from kluis.tenancy.models import Tenant

# --- organisation ----------------------------------------------------------------------------


def create_department(
    actor: Actor, tenant: Tenant, *, name: str, code: str = "", parent: Department | None = None
) -> Department:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    if parent is not None and parent.tenant_id != tenant.pk:
        raise ValidationError({"parent": [_("Choose one from the list.")]})
    with transaction.atomic():
        if Department.objects.filter(tenant=tenant, name__iexact=name).exists():
            raise ValidationError({"name": [_("Another department has this name.")]})
        department = Department.objects.create(
            tenant=tenant, name=name, code=v.text(code, max_length=30), parent=parent
        )
        record(
            actor,
            "department.created",
            tenant=tenant,
            target=department,
            changes={"name": {"old": None, "new": name}},
        )
        emit("department.created", tenant=tenant, target=department)
    return department


def create_team(
    actor: Actor, tenant: Tenant, *, name: str, department: Department | None = None
) -> Team:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    if department is not None and department.tenant_id != tenant.pk:
        raise ValidationError({"department": [_("Choose one from the list.")]})
    with transaction.atomic():
        if Team.objects.filter(tenant=tenant, name__iexact=name).exists():
            raise ValidationError({"name": [_("Another team has this name.")]})
        team = Team.objects.create(tenant=tenant, name=name, department=department)
        record(
            actor,
            "team.created",
            tenant=tenant,
            target=team,
            changes={"name": {"old": None, "new": name}},
        )
        emit("team.created", tenant=tenant, target=team)
    return team


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
    import re

    if not re.fullmatch(r"[a-z][a-z0-9_]{0,49}", key):
        errors["key"] = [
            _("Use lowercase letters, digits and underscores, starting with a letter.")
        ]
    label = v.text(label, max_length=100)
    if not label:
        errors["label"] = [_("This field is required.")]
    if field_type not in {t.value for t in CustomFieldDefinition.FieldType}:
        errors["field_type"] = [_("Choose a type from the list.")]
    clean_choices = [str(c).strip() for c in (choices or []) if str(c).strip()]
    if field_type == CustomFieldDefinition.FieldType.CHOICE and not clean_choices:
        errors["choices"] = [_("A choice field needs at least one choice.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if CustomFieldDefinition.objects.filter(tenant=tenant, key=key).exists():
            raise ValidationError({"key": [_("Another custom field has this key.")]})
        position = CustomFieldDefinition.objects.filter(tenant=tenant).count()
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


def update_people_settings(
    actor: Actor, tenant: Tenant, *, self_editable_fields: list[str]
) -> PeopleSettings:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    unknown = sorted(set(self_editable_fields) - set(SELF_EDITABLE_CHOICES))
    if unknown:
        raise ValidationError(
            {
                "self_editable_fields": [
                    _("Unknown fields: %(names)s.") % {"names": ", ".join(unknown)}
                ]
            }
        )
    with transaction.atomic():
        row, _created = PeopleSettings.objects.select_for_update().get_or_create(
            tenant=tenant, defaults={"self_editable_fields": list(DEFAULT_SELF_EDITABLE)}
        )
        before = sorted(row.self_editable_fields)
        row.self_editable_fields = sorted(set(self_editable_fields))
        row.save(update_fields=["self_editable_fields"])
        record(
            actor,
            "people_settings.updated",
            tenant=tenant,
            object_type="people.peoplesettings",
            object_id=row.pk,
            object_repr="self-service fields",
            changes=diff(
                {"self_editable_fields": before}, {"self_editable_fields": row.self_editable_fields}
            ),
        )
        emit("people_settings.updated", tenant=tenant, target=row)
    return row
