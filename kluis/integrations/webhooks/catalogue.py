"""The catalogue of domain events a webhook can subscribe to, named `<entity>.<verb>`.

Each app registers the events it emits (from its AppConfig.ready, as the visibility
policy is registered), so this module knows no domain app. The catalogue is what
`GET /api/v1/webhook-event-types/` lists, what the OpenAPI document's webhooks show and
what a subscription's event filter is checked against; `emit()` refuses a name that is not
in it, so no event can be sent that is not documented."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

WILDCARD = "*"


@dataclass(frozen=True)
class EventType:
    name: str
    summary: StrOrPromise  # one line, lazy: shown in the reader's language
    # the object the event is about: its model label and the API resource that serves it
    # (`/api/v1/<resource>/<id>/`); "" when it has no resource of its own
    object_type: str
    resource: str = ""
    # names of fields an example event reports as changed
    example_fields: tuple[str, ...] = ()
    # what a full-object payload looks like (the resource's example object)
    example_object: dict[str, Any] = field(default_factory=dict)
    # for an event no subscriber may pick (a ping is sent to one subscription only)
    internal: bool = False
    # the related object the event names besides its own (an employee's wage: the employee)
    parent: str = ""
    # further keys of the emitted payload that the webhook's `data` carries, with an
    # example value each: ids and choices only, never a value of the object (a role
    # granted: {"role": 4, "change": "granted"})
    details: dict[str, Any] = field(default_factory=dict)
    # the permission that reads the object, for an event with no API resource of its own
    # (by default the resource's read permission): a subscription's owner without it
    # (company-wide) is not sent the event (kluis/integrations/webhooks/reach.py)
    read: str = ""

    @property
    def entity(self) -> str:
        return self.name.partition(".")[0]


_CATALOGUE: dict[str, EventType] = {}
# Bookkeeping events (a company created, the credentials' own keys and clients) are in the
# outbox but are no webhook: registered here as kept quiet so that emit() knows them.
_QUIET: set[str] = set()


def register(event: EventType) -> EventType:
    if event.name in _CATALOGUE and _CATALOGUE[event.name] != event:
        raise ValueError(f"webhook event {event.name!r} is registered twice")
    if "." not in event.name:
        raise ValueError(f"webhook event {event.name!r} is not named <entity>.<verb>")
    _CATALOGUE[event.name] = event
    return event


def keep_quiet(*names: str) -> None:
    """Outbox events that are not offered as webhooks (the credentials' own bookkeeping)."""
    _QUIET.update(names)


def known(name: str) -> bool:
    return name in _CATALOGUE or name in _QUIET


def is_webhook(name: str) -> bool:
    return name in _CATALOGUE and not _CATALOGUE[name].internal


def get(name: str) -> EventType | None:
    return _CATALOGUE.get(name)


def event_types() -> list[EventType]:
    """Every event a subscription may pick, sorted by name."""
    return sorted((e for e in _CATALOGUE.values() if not e.internal), key=lambda e: e.name)


def unknown_names(names: list[str]) -> list[str]:
    """The names in an event filter that are neither the wildcard nor a webhook event."""
    return [n for n in names if n != WILDCARD and not is_webhook(n)]
