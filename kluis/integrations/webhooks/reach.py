"""What a subscription's owner may learn from an event: the same rule as the API's.

A webhook tells its owner (the API client, or the member, that made it) only what that
owner could read through the API: an event of a resource whose read permission the owner
does not hold company-wide (a wage's, for a key without wages:read) is not sent to them
at all, and the names of changed fields whose values the owner may not see (an
employee's bank account, for a key without identity:read) are left out; a change of
nothing but such fields is not sent (as the change feed leaves out such a version)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kluis.access import visibility
from kluis.access.authorization import grants_of
from kluis.access.permissions import Scope
from kluis.integrations.webhooks import catalogue

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.integrations.models import DomainEvent

_READ: dict[str, str | None] = {}


def read_permission(kind: catalogue.EventType) -> str | None:
    """The permission that reads the event's object: the event's own `read`, else its API
    resource's for GET; None when nothing reads it (then nobody is sent it)."""
    if kind.read:
        return kind.read
    if kind.resource not in _READ:
        from kluis.api.registry import find

        found = find(kind.resource)
        _READ[kind.resource] = (
            getattr(found.viewset, "required_permissions", {}).get("GET") if found else None
        )
    return _READ[kind.resource]


def may_read(actor: Actor, kind: catalogue.EventType) -> bool:
    """The actor reads the event's kind of object for the whole company (a webhook is
    about any object of the company, so a team's or one's own reach is not enough)."""
    if actor.is_system:
        return True
    permission = read_permission(kind)
    return permission is not None and grants_of(actor).get(permission) == Scope.COMPANY


def shown(actor: Actor, event: DomainEvent) -> dict[str, Any] | None:
    """The event's details as the actor may learn them (its `fields` narrowed to those
    whose values the actor may see), or None when the actor is not to be sent it."""
    kind = catalogue.get(event.name)
    if kind is None or not may_read(actor, kind):
        return None
    details = dict(event.payload or {})
    fields = details.get("fields")
    entry = visibility.declared(event.object_type)
    if isinstance(fields, list) and fields and entry is not None:
        declared = [name for name in fields if name in entry.fields]
        hidden = set(declared) - set(visibility.visible_fields(actor, event.object_type, declared))
        if hidden:
            details["fields"] = [name for name in fields if name not in hidden]
            if not details["fields"]:
                return None
    return details
