"""Tenant-scoped reads. A missing object and another company's object give the same 404."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kluis.tenancy.models import Membership, Tenant


def memberships_of_user(user_id: int) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user_id=user_id, is_active=True, tenant__is_active=True)
        .select_related("tenant")
        .order_by("tenant__name")
    )


def membership_in(tenant: Tenant, pk: int | str) -> Membership:
    try:
        return Membership.objects.select_related("user", "manager__user").get(
            tenant=tenant, pk=int(pk)
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such member") from None
