"""Who sees offboardings: whoever may start or approve one (company-wide), and the rows of
their own company only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.offboarding.models import Offboarding
from kluis.people.models import Employee

READERS = ("offboarding.request", "offboarding.approve")


def may_read(actor: Actor) -> bool:
    return any(can_for(actor, permission) for permission in READERS)


def offboardings_for(actor: Actor) -> QuerySet[Offboarding]:
    rows = Offboarding.objects.for_actor(actor)
    if not may_read(actor):
        return rows.none()
    return rows.select_related("employee", "handover_to__user")


def offboarding_for(actor: Actor, pk: Any) -> Offboarding:
    """One offboarding the actor may read; 404 for another company's or an unknown id."""
    if not may_read(actor):
        raise Http404("No such offboarding")
    found: Offboarding = Offboarding.objects.select_related(
        "employee", "handover_to__user"
    ).access_by_id(actor, pk, not_found="No such offboarding")
    return found


def of_employee(actor: Actor, employee: Employee) -> list[Offboarding]:
    return list(offboardings_for(actor).filter(employee=employee)[:5])


def revoked_rows(offboarding: Offboarding) -> list[tuple[str, int, str]]:
    """What was revoked and handed over, for the page: (kind, count, ids)."""
    from django.utils.translation import gettext as _

    done = offboarding.revoked or {}
    handed = done.get("handed_over", {})
    tokens = done.get("oauth_tokens", {})
    rows = [
        (_("Sessions ended"), done.get("sessions", [])),
        (_("App sign-ins revoked"), done.get("app_token_families", [])),
        (_("OAuth tokens revoked"), [*tokens.get("access", []), *tokens.get("refresh", [])]),
        (_("Connected apps disconnected"), done.get("oauth_connections", [])),
        (_("API keys revoked"), done.get("api_key_prefixes", [])),
        (_("API clients handed over"), handed.get("api_clients", [])),
        (_("Webhooks handed over"), handed.get("webhooks", [])),
    ]
    return [(label, len(ids), ", ".join(str(i) for i in ids)) for label, ids in rows]
