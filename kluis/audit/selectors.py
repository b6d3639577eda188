"""Tenant-scoped reads of the audit log. Another company's event and a missing one both 404."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kluis.access import visibility
from kluis.access.actor import Actor
from kluis.audit import policy, sentences, subjects
from kluis.audit.models import AuditEvent
from kluis.tenancy.models import Tenant


def events_for(actor: Actor) -> QuerySet[AuditEvent]:
    """The events of the actor's company this reader sees (kluis.audit.policy), newest
    first."""
    return AuditEvent.objects.for_actor(actor).filter(policy.readable(actor)).order_by("-sequence")


def events_of(tenant: Tenant) -> QuerySet[AuditEvent]:
    """Every event of a company handed by id: kept for the API's audit resource
    (kluis/audit/api/events.py, owned by the API rewrite), which holds an actor and can move
    to `events_for(actor)`."""
    return AuditEvent.objects.for_tenant(tenant).order_by("-sequence")


def event_in(actor: Actor, pk: int) -> AuditEvent:
    """One event of the actor's company; another company's and a missing one: 404, and
    so is one of a kind this reader does not see (kluis.audit.policy)."""
    event: AuditEvent = AuditEvent.objects.access_by_id(actor, pk, not_found="No such event")
    if policy.may_open(actor) and not events_for(actor).filter(pk=event.pk).exists():
        raise Http404("No such event")
    return event


def actions_in(actor: Actor) -> list[str]:
    """The actions that occur in this company's log (for the filter's select)."""
    return list(events_for(actor).order_by("action").values_list("action", flat=True).distinct())


def object_types_in(actor: Actor) -> list[str]:
    return list(
        events_for(actor)
        .exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )


@dataclass(frozen=True)
class ChangeRow:
    field: str
    old: str | None
    new: str | None

    @property
    def old_hidden(self) -> bool:
        return self.old == visibility.HIDDEN

    @property
    def new_hidden(self) -> bool:
        return self.new == visibility.HIDDEN


def _shown(value: Any) -> str | None:
    """A change value as text: strings as they are, anything structured as JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def shown_changes(actor: Actor, event: AuditEvent) -> Any:
    """The event's changes as this viewer may see them: the stored row is never altered,
    values the viewer's company-wide permissions do not reveal read HIDDEN (audit readers
    are company-level, so a team or self grant reveals nothing here)."""
    return visibility.redact(actor, event.object_type, event.changes)


def shown_label(actor: Actor, event: AuditEvent) -> str:
    return visibility.shown_label(actor, event.object_type, event.object_repr)


def recent_events(actor: Actor, count: int = 8) -> list[AuditEvent]:
    """The newest events, each labelled as this viewer may see it (in memory, never saved)."""
    events = described(actor, list(events_for(actor)[:count]))
    for event in events:
        event.object_repr = event.shown_repr  # type: ignore[attr-defined]
    return events


def change_rows(actor: Actor, event: AuditEvent) -> list[ChangeRow]:
    """The changes of an event as field/old/new rows, as this viewer may see them.

    Most events store `{field: {"old": .., "new": ..}}`; some (a new role's permissions,
    an export's filters) store a plain value, shown as the new value.
    """
    changes = shown_changes(actor, event)
    if not isinstance(changes, dict):
        return [ChangeRow("", None, _shown(changes))] if changes else []
    rows = []
    for key, value in changes.items():
        if isinstance(value, dict) and value and set(value) <= {"old", "new"}:
            rows.append(ChangeRow(str(key), _shown(value.get("old")), _shown(value.get("new"))))
        else:
            rows.append(ChangeRow(str(key), None, _shown(value)))
    return rows


def described(actor: Actor, events: list[AuditEvent]) -> list[AuditEvent]:
    """The events with, in memory (never saved): `actor_name` (the person's name, else the
    account label), `shown_repr` (the object's label as this reader may see it: as its app
    labels the row today where it registered how, else as stored), `sentence`
    (in the active language) and `object_url` (the object's page, when there is one). Names
    for a whole page in one query, live labels in one per object type."""
    names = subjects.names_of(actor, (e.actor_user_id for e in events))
    labels = subjects.object_labels(actor, ((e.object_type, e.object_id) for e in events))
    for event in events:
        event.actor_name = names.get(event.actor_user_id or 0, event.actor_label)  # type: ignore[attr-defined]
        event.shown_repr = shown_label(actor, event)  # type: ignore[attr-defined]
        if event.shown_repr != visibility.HIDDEN:  # type: ignore[attr-defined]
            # The row's label as it reads today, where its app gives one (else as stored).
            live = labels.get((event.object_type, event.object_id))
            if live:
                event.shown_repr = live  # type: ignore[attr-defined]
        event.sentence = sentences.sentence(  # type: ignore[attr-defined]
            event,
            actor=event.actor_name,  # type: ignore[attr-defined]
            object_label=event.shown_repr,  # type: ignore[attr-defined]
        )
        event.object_url = (  # type: ignore[attr-defined]
            subjects.link_of(actor, event.object_type, event.object_id)
            if event.shown_repr != visibility.HIDDEN  # type: ignore[attr-defined]
            else ""
        )
    return events
