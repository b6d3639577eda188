"""`{% load kluis_flags %}{% flag_enabled "name" as on %}{% if on %}...{% endif %}`:
the template's way to `kluis.flags.enabled`, for the request's company and user."""

from __future__ import annotations

from typing import Any

from django import template

from kluis.flags.evaluation import enabled

register = template.Library()


@register.simple_tag(takes_context=True)
def flag_enabled(context: Any, name: str) -> bool:
    return enabled(name, request=context.get("request"))
