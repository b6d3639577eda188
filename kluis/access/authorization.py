"""The one permission check. Deny by default; services call `authorize()` before writing."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.models import RolePermission
from kluis.access.permissions import CATALOGUE, SCOPE_RANK, Scope
from kluis.tenancy.models import Membership


def grants_of(actor: Actor) -> dict[str, str]:
    """Widest scope per permission over all the actor's roles (cached on the actor)."""
    if actor._grants is None:
        grants: dict[str, str] = {}
        if actor.membership is not None and actor.membership.is_active:
            rows = (
                RolePermission.objects.for_actor(actor)
                .filter(role__assignments__membership_id=actor.membership.pk)
                .values_list("permission", "scope")
            )
            for code, scope in rows:
                if code in CATALOGUE and (
                    code not in grants or SCOPE_RANK[Scope(scope)] > SCOPE_RANK[Scope(grants[code])]
                ):
                    grants[code] = scope
        actor._grants = grants
    return actor._grants


def can(actor: Actor, permission: str) -> bool:
    """True when the actor holds the permission for anyone at all (used for navigation)."""
    if actor.is_system:
        return True
    return permission in grants_of(actor)


def can_for(actor: Actor, permission: str, subject: Membership | None = None) -> bool:
    """True when the actor holds `permission` over `subject` (None: the whole company)."""
    if actor.is_system:
        return True
    scope = grants_of(actor).get(permission)
    tenant_id = actor.membership.tenant_id if actor.membership is not None else None
    if tenant_id is None and actor.kind == "api_client" and actor.tenant is not None:
        tenant_id = actor.tenant.pk  # API clients act for their company, never as a member
    if scope is None or tenant_id is None:
        return False
    if subject is None:
        return scope == Scope.COMPANY
    if subject.tenant_id != tenant_id:
        return False
    if scope == Scope.COMPANY:
        return True
    if actor.membership is None:
        return False
    if subject.pk == actor.membership.pk:
        return True
    if scope == Scope.TEAM:
        return subject.manager_id == actor.membership.pk
    return False


def authorize(actor: Actor, permission: str, subject: Membership | None = None) -> None:
    if permission not in CATALOGUE:
        raise PermissionDenied(f"Unknown permission {permission}")
    if not can_for(actor, permission, subject):
        raise PermissionDenied(_("You do not have permission to do this."))


def team_of(actor: Actor) -> list[int]:
    """Membership ids the actor's team-scoped grants reach (their reports and themselves)."""
    if actor.membership is None:
        return []
    ids = list(
        Membership.objects.for_actor(actor)
        .filter(manager_id=actor.membership.pk)
        .values_list("pk", flat=True)
    )
    return [actor.membership.pk, *ids]
