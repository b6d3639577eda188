"""Teams: create, change (rename, move to another department), archive and delete.

Changes and deletions take a `precondition`: the API's If-Match check, run on the row
after it is locked, so nothing can change in between the check and the write."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import diff, record
from kluis.integrations.events import emit
from kluis.people import validation as v
from kluis.people.models import Department, Team
from kluis.people.services._kit import collect, require_company, same_company
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
from kluis.tenancy.models import Tenant


def create_team(
    actor: Actor, tenant: Tenant, *, name: str, department: Department | None = None
) -> Team:
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    name = v.text(name, max_length=120, required=True)
    clean = collect([("department", lambda: own_department(department, tenant))])
    with transaction.atomic():
        if Team.objects.for_tenant(tenant).filter(name__iexact=name).exists():
            raise ValidationError({"name": [_("Another team has this name.")]})
        team = Team.objects.create(tenant=tenant, name=name, department=clean["department"])
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
    """Change `name`, `department` (a Department or None, not an archived one unless it
    is the team's already) and/or `archived` (a bool)."""
    tenant = team.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    clean = clean_changes(
        changes,
        {
            "name": lambda: v.text(changes["name"], max_length=120, required=True),
            "department": lambda: own_department(
                changes["department"], tenant, held=team.department_id
            ),
            "archived": lambda: flag(changes["archived"]),
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
        if changed:
            try:
                with transaction.atomic():
                    current.save(update_fields=changed)
            except IntegrityError:
                raise ValidationError({"name": [_("Another team has this name.")]}) from None
            record(
                actor, "team.updated", tenant=tenant, target=current, changes=diff(before, after)
            )
            emit("team.updated", tenant=tenant, target=current, payload={"fields": changed})
        if "archived" in clean:
            set_archived(actor, current, clean["archived"], "team")
    return current


def archive_team(
    actor: Actor,
    team: Team,
    *,
    archived: bool = True,
    precondition: Callable[[Team], None] | None = None,
) -> Team:
    """Archive a team (or, with `archived=False`, bring it back)."""
    return update_team(actor, team, {"archived": archived}, precondition=precondition)


def team_uses(tenant: Tenant, team: Team) -> list[tuple[int, str]]:
    """What currently names the team: its people."""
    return [people_text(people_in(tenant, team=team))]


def delete_team(
    actor: Actor, team: Team, *, precondition: Callable[[Team], None] | None = None
) -> None:
    """Delete a team nothing names; else StillInUseError: people in it (move them first)
    or only past contracts (archive it instead)."""
    tenant = team.tenant
    same_company(actor, tenant)
    require_company(actor, "people.edit")
    with transaction.atomic():
        current = Team.objects.for_tenant(tenant).select_for_update().get(pk=team.pk)
        if precondition is not None:
            precondition(current)
        uses = uses_text(team_uses(tenant, current))
        if uses:
            raise StillInUseError(
                _("This team still has %(uses)s: move them first.") % {"uses": uses}
            )
        refuse_history(history_naming(tenant, team=current), "team")
        record(
            actor,
            "team.deleted",
            tenant=tenant,
            target=current,
            changes=diff(_team_values(current), {}),
        )
        emit("team.deleted", tenant=tenant, target=current)
        current.delete()
