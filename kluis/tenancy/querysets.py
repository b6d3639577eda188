"""The restricting queryset every company-owned model reads through.

`Model.objects.for_actor(actor)` gives the rows of the actor's company and nothing for an
actor of no company; `access_by_id(actor, pk)` gives one of them, with the same "not
found" for a missing id, an id of another company and an id that is no id at all, so an
answer never tells which ids exist elsewhere (as Zulip's `access_<thing>_by_id`). Row
level security on PostgreSQL is the second wall behind it (tenancy/rls.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from kluis.access.actor import Actor


class TenantQuerySet(models.QuerySet[Any]):
    def for_actor(self, actor: Actor) -> Self:
        """The rows of the actor's company (none for an actor of no company)."""
        if actor.tenant is None:
            return self.none()
        return self.filter(tenant_id=actor.tenant.pk)

    def access_by_id(self, actor: Actor, pk: Any, *, not_found: str = "Not found") -> Any:
        """One row of the actor's company; Http404(not_found) for anything else."""
        try:
            return self.for_actor(actor).get(pk=int(pk))
        except (self.model.DoesNotExist, TypeError, ValueError, OverflowError):
            raise Http404(not_found) from None


TenantManager = models.Manager.from_queryset(TenantQuerySet)
