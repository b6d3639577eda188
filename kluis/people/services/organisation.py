"""Departments, teams and the company's self-service settings (custom field definitions:
kluis.people.services.custom_fields).

Changes and deletions take a `precondition`: the API's If-Match check, run on the row
after it is locked, so nothing can change in between the check and the write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.fields import (
    DEFAULT_SELF_EDITABLE,
    SELF_EDITABLE_CHOICES,
)
from kluis.people.models import (
    Department,
    Employee,
    Employment,
    PeopleSettings,
    Team,
)
from kluis.people.services._kit import (
    collect,
    require_company,
    same_company,
)

# Definitions moved to their own module; re-exported for the settings pages and the demo.
from kluis.people.services.custom_fields import define_custom_field as define_custom_field
from kluis.tenancy.models import Tenant


class StillInUseError(Exception):
    """Deleting would quietly blank the department or team on contracts, people or teams
    that name it; the API answers 409 and nothing is deleted."""


def _uses(counts: list[tuple[int, str]]) -> str:
    return ", ".join(text for count, text in counts if count)


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
        if Department.objects.for_tenant(tenant).filter(name__iexact=name).exists():
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


def _own_department(value: Any, tenant: Tenant) -> Department | None:
    if value is not None and (not isinstance(value, Department) or value.tenant_id != tenant.pk):
        raise ValidationError(_("Choose one from the list."))
    return value


def _clean_changes(
    changes: Mapping[str, Any], cleaners: dict[str, Callable[[], Any]]
) -> dict[str, Any]:
    """The clean value of each field present in `changes`; unknown fields are errors too."""
    unknown = sorted(set(changes) - set(cleaners))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    return collect((name, cleaner) for name, cleaner in cleaners.items() if name in changes)


def _is_within(start: int, ancestor: int, tree: dict[int, int | None]) -> bool:
    """Whether department `start` is `ancestor` or sits somewhere below it."""
    node: int | None = start
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node == ancestor:
            return True
        seen.add(node)
        node = tree.get(node)
    return False


def _department_values(department: Department) -> dict[str, Any]:
    return {"name": department.name, "code": department.code, "parent": department.parent_id}


def update_department(
    actor: Actor,
    department: Department,
    changes: Mapping[str, Any],
    *,
    precondition: Callable[[Department], None] | None = None,
) -> Department:
    """Change `name`, `code` and/or `parent` (a Department or None). A department cannot
    move under itself or one of its own sub-departments."""
    tenant = department.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    clean = _clean_changes(
        changes,
        {
            "name": lambda: v.text(changes["name"], max_length=120, required=True),
            "code": lambda: v.text(changes["code"], max_length=30),
            "parent": lambda: _own_department(changes["parent"], tenant),
        },
    )
    with transaction.atomic():
        tree: dict[int, int | None] = {}
        if "parent" in clean:
            # The whole tree, locked in one order: two moves at once cannot make a cycle.
            tree = dict(
                Department.objects.for_tenant(tenant)
                .select_for_update()
                .order_by("pk")
                .values_list("pk", "parent_id")
            )
        current = Department.objects.for_tenant(tenant).select_for_update().get(pk=department.pk)
        if precondition is not None:
            precondition(current)
        parent = clean.get("parent")
        if parent is not None and parent.pk not in tree:
            raise ValidationError({"parent": [_("Choose one from the list.")]})
        if parent is not None and _is_within(parent.pk, current.pk, tree):
            raise ValidationError(
                {"parent": [_("A department cannot sit under itself or its own sub-department.")]}
            )
        if (
            "name" in clean
            and Department.objects.for_tenant(tenant)
            .filter(name__iexact=clean["name"])
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError({"name": [_("Another department has this name.")]})
        before = _department_values(current)
        current.name = clean.get("name", current.name)
        current.code = clean.get("code", current.code)
        if "parent" in clean:
            current.parent = parent
        after = _department_values(current)
        changed = sorted(name for name in after if after[name] != before[name])
        if not changed:
            return current
        try:
            with transaction.atomic():
                current.save(update_fields=changed)
        except IntegrityError:
            raise ValidationError({"name": [_("Another department has this name.")]}) from None
        record(
            actor,
            "department.updated",
            tenant=tenant,
            target=current,
            changes=diff(before, after),
        )
        emit("department.updated", tenant=tenant, target=current, payload={"fields": changed})
    return current


def _people_using(tenant: Tenant, **link: Any) -> list[tuple[int, str]]:
    """How many employees and contracts (past ones too) name a department or team."""
    employees = Employee.objects.for_tenant(tenant).filter(**link).count()
    contracts = Employment.objects.for_tenant(tenant).filter(**link).count()
    return [
        (
            employees,
            ngettext("%(count)d employee", "%(count)d employees", employees) % {"count": employees},
        ),
        (
            contracts,
            ngettext("%(count)d contract", "%(count)d contracts", contracts) % {"count": contracts},
        ),
    ]


def delete_department(
    actor: Actor,
    department: Department,
    *,
    precondition: Callable[[Department], None] | None = None,
) -> None:
    """Delete a department nothing refers to; else StillInUseError saying what still does."""
    tenant = department.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    with transaction.atomic():
        current = Department.objects.for_tenant(tenant).select_for_update().get(pk=department.pk)
        if precondition is not None:
            precondition(current)
        teams = current.teams.count()
        children = current.children.count()
        uses = _uses(
            [
                *_people_using(tenant, department=current),
                (teams, ngettext("%(count)d team", "%(count)d teams", teams) % {"count": teams}),
                (
                    children,
                    ngettext("%(count)d sub-department", "%(count)d sub-departments", children)
                    % {"count": children},
                ),
            ]
        )
        if uses:
            raise StillInUseError(
                _(
                    "The department is still in use: %(uses)s. Move them to another "
                    "department first; a department named in past contracts stays, as part "
                    "of their history."
                )
                % {"uses": uses}
            )
        record(
            actor,
            "department.deleted",
            tenant=tenant,
            target=current,
            changes=diff(_department_values(current), {}),
        )
        emit("department.deleted", tenant=tenant, target=current)
        current.delete()


def create_team(
    actor: Actor, tenant: Tenant, *, name: str, department: Department | None = None
) -> Team:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    if department is not None and department.tenant_id != tenant.pk:
        raise ValidationError({"department": [_("Choose one from the list.")]})
    with transaction.atomic():
        if Team.objects.for_tenant(tenant).filter(name__iexact=name).exists():
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


def _team_values(team: Team) -> dict[str, Any]:
    return {"name": team.name, "department": team.department_id}


def update_team(
    actor: Actor,
    team: Team,
    changes: Mapping[str, Any],
    *,
    precondition: Callable[[Team], None] | None = None,
) -> Team:
    """Change `name` and/or `department` (a Department or None)."""
    tenant = team.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    clean = _clean_changes(
        changes,
        {
            "name": lambda: v.text(changes["name"], max_length=120, required=True),
            "department": lambda: _own_department(changes["department"], tenant),
        },
    )
    with transaction.atomic():
        current = Team.objects.for_tenant(tenant).select_for_update().get(pk=team.pk)
        if precondition is not None:
            precondition(current)
        if (
            "name" in clean
            and Team.objects.for_tenant(tenant)
            .filter(name__iexact=clean["name"])
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ValidationError({"name": [_("Another team has this name.")]})
        before = _team_values(current)
        current.name = clean.get("name", current.name)
        if "department" in clean:
            current.department = clean["department"]
        after = _team_values(current)
        changed = sorted(name for name in after if after[name] != before[name])
        if not changed:
            return current
        try:
            with transaction.atomic():
                current.save(update_fields=changed)
        except IntegrityError:
            raise ValidationError({"name": [_("Another team has this name.")]}) from None
        record(actor, "team.updated", tenant=tenant, target=current, changes=diff(before, after))
        emit("team.updated", tenant=tenant, target=current, payload={"fields": changed})
    return current


def delete_team(
    actor: Actor, team: Team, *, precondition: Callable[[Team], None] | None = None
) -> None:
    """Delete a team no contract or employee names; else StillInUseError."""
    tenant = team.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    with transaction.atomic():
        current = Team.objects.for_tenant(tenant).select_for_update().get(pk=team.pk)
        if precondition is not None:
            precondition(current)
        uses = _uses(_people_using(tenant, team=current))
        if uses:
            raise StillInUseError(
                _(
                    "The team is still in use: %(uses)s. Move them to another team first; "
                    "a team named in past contracts stays, as part of their history."
                )
                % {"uses": uses}
            )
        record(
            actor,
            "team.deleted",
            tenant=tenant,
            target=current,
            changes=diff(_team_values(current), {}),
        )
        emit("team.deleted", tenant=tenant, target=current)
        current.delete()


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
        if before != row.self_editable_fields:
            emit(
                "people_settings.updated",
                tenant=tenant,
                target=row,
                payload={"fields": ["self_editable_fields"]},
            )
    return row
