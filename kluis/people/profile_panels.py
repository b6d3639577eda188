"""Panels that apps above people add to an employee's HR profile (an offboarding, a
checklist's progress): registered from their AppConfig.ready, each a function
(actor, employee) -> its HTML for this reader, or "" to show nothing. People learns of
them only by this registration."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.safestring import SafeString

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.people.models import Employee

Panel = Callable[["Actor", "Employee"], SafeString | str]
_PANELS: dict[str, Panel] = {}


def register(key: str, panel: Panel) -> None:
    _PANELS[key] = panel


def render_panels(actor: Actor, employee: Employee) -> list[SafeString]:
    shown = (panel(actor, employee) for panel in _PANELS.values())
    return [SafeString(html) for html in shown if html]
