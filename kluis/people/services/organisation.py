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
from kluis.people.models import Department, PeopleSettings
from kluis.people.services._kit import (
    collect,
    require_company,
    same_company,
)
from kluis.people.services._org import (
    StillInUseError,
    clean_changes,
    flag,
    history_naming,
    own_department,
    people_in,
    people_text,
    refuse_history,
    set_archived,
    uses_text,
)

# Definitions moved to their own module; re-exported for the settings pages and the demo.
from kluis.people.services.custom_fields import define_custom_field as define_custom_field
from kluis.people.services.teams import (
    archive_team as archive_team,
)
from kluis.people.services.teams import (
    create_team as create_team,
)
from kluis.people.services.teams import (
    delete_team as delete_team,
)
from kluis.people.services.teams import (
    update_team as update_team,
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
    clean = collect([("parent", lambda: own_department(parent, tenant))])
    with transaction.atomic():
        if Department.objects.for_tenant(tenant).filter(name__iexact=name).exists():
            raise ValidationError({"name": [_("Another department has this name.")]})
        department = Department.objects.create(
            tenant=tenant, name=name, code=v.text(code, max_length=30), parent=clean["parent"]
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
    """Change `name`, `code`, `parent` (a Department or None) and/or `archived` (a bool).
    A department cannot move under itself or one of its own sub-departments, nor under an
    archived one. Archiving keeps it on everyone's history and in exports, but it is no
    longer offered for new contracts, teams or sub-departments."""
    tenant = department.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    clean = clean_changes(
        changes,
        {
            "name": lambda: v.text(changes["name"], max_length=120, required=True),
            "code": lambda: v.text(changes["code"], max_length=30),
            "parent": lambda: own_department(changes["parent"], tenant, held=department.parent_id),
            "archived": lambda: flag(changes["archived"]),
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
        if changed:
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
        if "archived" in clean:
            set_archived(actor, current, clean["archived"], "department")
    return current


def archive_department(
    actor: Actor,
    department: Department,
    *,
    archived: bool = True,
    precondition: Callable[[Department], None] | None = None,
) -> Department:
    """Archive a department (or, with `archived=False`, bring it back)."""
    return update_department(actor, department, {"archived": archived}, precondition=precondition)


def department_uses(tenant: Tenant, department: Department) -> list[tuple[int, str]]:
    """What currently names the department: people, teams and sub-departments."""
    teams = department.teams.count()
    children = department.children.count()
    return [
        people_text(people_in(tenant, department=department)),
        (teams, ngettext("%(count)d team", "%(count)d teams", teams) % {"count": teams}),
        (
            children,
            ngettext("%(count)d sub-department", "%(count)d sub-departments", children)
            % {"count": children},
        ),
    ]


def delete_department(
    actor: Actor,
    department: Department,
    *,
    precondition: Callable[[Department], None] | None = None,
) -> None:
    """Delete a department nothing refers to; else StillInUseError saying what still does:
    people, teams or sub-departments (move them first), or only past contracts (archive
    it instead)."""
    tenant = department.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    with transaction.atomic():
        current = Department.objects.for_tenant(tenant).select_for_update().get(pk=department.pk)
        if precondition is not None:
            precondition(current)
        uses = uses_text(department_uses(tenant, current))
        if uses:
            raise StillInUseError(
                _("This department still has %(uses)s: move them first.") % {"uses": uses}
            )
        refuse_history(history_naming(tenant, department=current), "department")
        record(
            actor,
            "department.deleted",
            tenant=tenant,
            target=current,
            changes=diff(_department_values(current), {}),
        )
        emit("department.deleted", tenant=tenant, target=current)
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
