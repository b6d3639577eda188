"""Who sees which requests, and who may decide one.

A request is seen by the person who asked (the same user, whichever membership), by
whoever may decide it (the action's approve permission for the whole company, not
excluded) and by readers of the whole audit log (`audit.view_all`); by nobody else."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.models import RoleAssignment, RolePermission
from kluis.access.permissions import Scope
from kluis.approvals import registry, services
from kluis.approvals.models import ApprovalRequest, Status
from kluis.tenancy.models import Membership

LIMIT = 500  # a list page shows the newest requests; older ones stay in the audit log


def reads_all(actor: Actor) -> bool:
    return can_for(actor, "audit.view_all")


def _decidable_actions(actor: Actor) -> list[str]:
    return [
        action.key
        for action in registry.all_actions()
        if all(can_for(actor, permission) for permission in action.approve_permissions)
    ]


def candidates(actor: Actor) -> QuerySet[ApprovalRequest]:
    """The company's requests this actor may see, before the exclusions an action adds
    (`visible`): all of them for an audit reader or an API client reading them."""
    rows = ApprovalRequest.objects.for_actor(actor)
    if reads_all(actor):
        return rows
    mine = Q(pk__in=[]) if actor.user_id is None else Q(requested_by_user_id=actor.user_id)
    return rows.filter(mine | Q(action__in=_decidable_actions(actor)))


def may_view(actor: Actor, request: ApprovalRequest) -> bool:
    if actor.tenant is None or actor.tenant.pk != request.tenant_id:
        return False
    if reads_all(actor):
        return True
    if actor.user_id is not None and actor.user_id == request.requested_by_user_id:
        return True
    return services.may_decide(actor, request)


def visible(actor: Actor, status: str = "") -> list[ApprovalRequest]:
    rows = candidates(actor)
    if status:
        rows = rows.filter(status=status)
    return [row for row in rows[:LIMIT] if may_view(actor, row)]


def waiting_for(actor: Actor) -> list[ApprovalRequest]:
    """Pending requests this actor may decide (never their own)."""
    if actor.user_id is None:
        return []
    rows = (
        ApprovalRequest.objects.for_actor(actor)
        .filter(status=Status.PENDING, action__in=_decidable_actions(actor))
        .exclude(requested_by_user_id=actor.user_id)
    )
    return [row for row in rows[:LIMIT] if services.may_decide(actor, row)]


def waiting_count(actor: Actor) -> int:
    """For the navigation's badge: one query, not counting the rarer exclusions."""
    if actor.user_id is None or actor.tenant is None:
        return 0
    actions = _decidable_actions(actor)
    if not actions:
        return 0
    return (
        ApprovalRequest.objects.for_actor(actor)
        .filter(status=Status.PENDING, action__in=actions)
        .exclude(requested_by_user_id=actor.user_id)
        .count()
    )


def requested_by(actor: Actor, status: str = "") -> list[ApprovalRequest]:
    if actor.user_id is None:
        return []
    rows = ApprovalRequest.objects.for_actor(actor).filter(requested_by_user_id=actor.user_id)
    if status:
        rows = rows.filter(status=status)
    return list(rows[:LIMIT])


def deciders(request: ApprovalRequest) -> list[Membership]:
    """The company's active members who may decide the request: the action's approve
    permission for the whole company, neither the requester's user nor excluded."""
    action = registry.get(request.action)
    members = Membership.objects.for_tenant(request.tenant_id).filter(is_active=True)
    for permission in action.approve_permissions:
        roles = RolePermission.objects.for_tenant(request.tenant_id).filter(
            permission=permission, scope=Scope.COMPANY
        )
        holders = RoleAssignment.objects.for_tenant(request.tenant_id).filter(
            role_id__in=roles.values("role_id")
        )
        members = members.filter(pk__in=holders.values("membership_id"))
    excluded = {request.requested_by_user_id}
    if action.excluded_users is not None:
        excluded |= action.excluded_users(request)
    return list(
        members.exclude(user_id__in=[user for user in excluded if user is not None])
        .select_related("user")
        .order_by("pk")
    )


def of_action(actor: Actor, pk: int, action: str) -> ApprovalRequest:
    """The request `pk` for `action` of the actor's company: one 404 for missing, another
    action's and another company's (the pages that hand an approved result over)."""
    if actor.tenant is None:
        raise Http404
    found = (
        ApprovalRequest.objects.for_tenant(actor.tenant)
        .filter(pk=pk, action=action)
        .select_related("tenant")
        .first()
    )
    if found is None:
        raise Http404
    return found
