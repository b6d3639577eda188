"""What the checklist services share: the company check, versions, and values as the
audit log shows them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.tenancy.models import Tenant


class ChecklistConflictError(Exception):
    """The checklist's state refuses this (a task of a cancelled checklist, a task already
    done): the API answers 409 with the message."""


class StaleChecklistError(Exception):
    """Someone changed the row since the client read it (the API answers 412)."""

    def __init__(self, version: int) -> None:
        super().__init__(
            _(
                "Someone changed this since you loaded it (now version %(version)s); "
                "reload and try again."
            )
            % {"version": version}
        )
        self.version = version


def same_company(actor: Actor, tenant: Tenant | int) -> None:
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant_id):
        raise PermissionDenied(_("Not a member of this company."))


def check_version(row: Any, expected: int | None) -> None:
    if expected is not None and row.version != expected:
        raise StaleChecklistError(row.version)


def shown(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def changes_of(old: dict[str, Any], new: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"old": shown(old.get(name)), "new": shown(value)}
        for name, value in new.items()
        if shown(old.get(name)) != shown(value)
    }
