"""Tenant-scoped reads. A missing object and another company's object give the same 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from kluis.tenancy.models import Membership

if TYPE_CHECKING:
    from kluis.access.actor import Actor


def memberships_of_user(user_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user_id, is_active=True, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def membership_in(actor: Actor, pk: int | str) -> Membership:
    """One member of the actor's company; Http404 for a missing, foreign or bad id."""
    member: Membership = Membership.objects.select_related("user", "manager__user").access_by_id(
        actor, pk, not_found="No such member"
    )
    return member
