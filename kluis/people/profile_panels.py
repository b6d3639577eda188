"""Panels other apps show on an employee's HR profile, above its tabs (checklists: the
onboarding's progress, or the offer to start one right after a hire). An app higher up
registers its panel from its AppConfig.ready, so people knows no app above it: a panel
is `panel(request, actor, employee)` -> its HTML ("" to show nothing)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString, mark_safe

Panel = Callable[[Any, Any, Any], str]
_PANELS: dict[str, Panel] = {}


def register(name: str, panel: Panel) -> None:
    _PANELS[name] = panel


def render_all(request: Any, actor: Any, employee: Any) -> list[SafeString]:
    """Each registered panel's HTML (rendered by its app's templates), the empty left out."""
    shown = (panel(request, actor, employee) for panel in _PANELS.values())
    return [mark_safe(html) for html in shown if html]  # noqa: S308 (templates' output)
