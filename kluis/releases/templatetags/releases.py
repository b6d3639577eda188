"""{% whats_new_panel %}: the What's new panel of the page (releases/_whats_new.html)."""

from __future__ import annotations

from typing import Any

from django import template

from kluis.releases.whats_new import panel

register = template.Library()


@register.inclusion_tag("releases/_panel.html", takes_context=True)
def whats_new_panel(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {}
    return {**panel(request), "request": request, "csrf_token": context.get("csrf_token")}
