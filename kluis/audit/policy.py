"""Who reads which events of the audit log: one rule, applied by the log page, the event
page, its exports and the dashboard's recent events.

- `audit.view_all` (owner, auditor; the API's audit:read scope): every event.
- `audit.view` alone (HR admin): the events of the kinds whose permission the reader
  also holds for the whole company: an HR admin reads what happened to people, pay, the
  organisation, time off, members, roles and integrations, not sign-ins, second factors,
  keys or exports of the log itself. An action nobody registered a sentence (and so a
  kind) for is shown to full readers only (deny by default).

Within an event, the values a reader sees are decided by kluis.access.visibility.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.authorization import can_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

OPEN = "audit.view"
EVERYTHING = "audit.view_all"


@dataclass(frozen=True)
class Kind:
    label: StrOrPromise
    # What else a reader with `audit.view` (not `audit.view_all`) must hold company-wide.
    permission: str


KINDS: dict[str, Kind] = {
    "people": Kind(_("People"), "people.view"),
    "pay": Kind(_("Pay"), "people.view_salary"),
    "organisation": Kind(_("Organisation"), "people.view"),
    "timeoff": Kind(_("Time off"), "timeoff.view"),
    "members": Kind(_("Members and invitations"), "tenancy.view_members"),
    "roles": Kind(_("Roles"), "access.view_roles"),
    "integrations": Kind(_("Integrations"), "integrations.manage"),
    "signin": Kind(_("Sign-in and security"), "identity.manage_signin"),
    "company": Kind(_("Company, keys and exports"), EVERYTHING),
}


def may_open(actor: Actor) -> bool:
    """The log opens for whoever holds `audit.view` or `audit.view_all` company-wide."""
    return can_for(actor, OPEN) or can_for(actor, EVERYTHING)


def reads_everything(actor: Actor) -> bool:
    return actor.is_system or can_for(actor, EVERYTHING)


def readable_kinds(actor: Actor) -> list[str]:
    """The kinds of event this reader sees, in the order of KINDS."""
    if reads_everything(actor):
        return list(KINDS)
    if not can_for(actor, OPEN):
        return []
    return [name for name, kind in KINDS.items() if can_for(actor, kind.permission)]


def readable(actor: Actor) -> Q:
    """A filter on AuditEvent for the events this reader sees (of their own company: the
    queryset it narrows is the actor's)."""
    from kluis.audit.sentences import actions_of_kind

    if reads_everything(actor):
        return Q()
    actions = [action for kind in readable_kinds(actor) for action in actions_of_kind(kind)]
    return Q(action__in=actions) if actions else Q(pk__in=[])
