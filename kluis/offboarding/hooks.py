"""The hook point for what else happens when an offboarding starts or is carried out (the
leaver's offboarding checklist, kluis/checklists: `matching_template` and
`start_checklist(actor, employee, template, anchor_date=offboarding.last_day)`).
Offboarding imports no app of its own layer: the other side registers a listener, from its
AppConfig.ready, and is called in the change's transaction with (what, actor, offboarding),
`what` being "started" (HR asked; the approval is pending) or "executed"."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.offboarding.models import Offboarding

Listener = Callable[[str, "Actor", "Offboarding"], None]
_LISTENERS: list[Listener] = []


def listen(listener: Listener) -> None:
    if listener not in _LISTENERS:
        _LISTENERS.append(listener)


def tell(what: str, actor: Actor, offboarding: Offboarding) -> None:
    for listener in _LISTENERS:
        listener(what, actor, offboarding)
