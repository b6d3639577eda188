"""The restricting queryset every company-owned model reads through.

`Model.objects.for_actor(actor)` gives the rows of the actor's company and nothing for an
actor of no company; `access_by_id(actor, pk)` gives one of them, with the same "not
found" for a missing id, an id of another company and an id that is no id at all, so an
answer never tells which ids exist elsewhere (as Zulip's `access_<thing>_by_id`). Row
level security on PostgreSQL is the second wall behind it (tenancy/rls.py).

Views, forms and selectors read through `for_actor` / `access_by_id`; `for_tenant` is for
code that is handed a company rather than acting as one of its actors. Nothing else writes
the company filter by hand (tests/tenancy/test_reads_through_restricting_queryset.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.tenancy.models import Tenant


class TenantQuerySet(models.QuerySet[Any]):
    def for_actor(self, actor: Actor) -> Self:
        """The rows of the actor's company (none for an actor of no company)."""
        if actor.tenant is None:
            return self.none()
        return self.filter(tenant_id=actor.tenant.pk)

    def for_tenant(self, tenant: Tenant | int | models.expressions.OuterRef) -> Self:
        """The rows of a company the code was handed (a Tenant, its id, or an OuterRef to
        the company column of the row a subquery is correlated with), for work that is
        not an actor's read: system jobs (CLI, worker, demo loader, the vault and key
        rotation, the audit chain), and services reading the company they were handed and
        write to, after checking the actor belongs to it (a system actor may carry no
        company). A view or form has an actor: it uses `for_actor`."""
        return self.filter(tenant_id=tenant.pk if isinstance(tenant, models.Model) else tenant)

    def access_by_id(self, actor: Actor, pk: Any, *, not_found: str = "Not found") -> Any:
        """One row of the actor's company; Http404(not_found) for anything else."""
        try:
            return self.for_actor(actor).get(pk=int(pk))
        except (self.model.DoesNotExist, TypeError, ValueError, OverflowError):
            raise Http404(not_found) from None


TenantManager = models.Manager.from_queryset(TenantQuerySet)
