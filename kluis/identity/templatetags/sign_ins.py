"""`{% recent_sign_ins %}`: the signed-in person's recent sign-ins, on their Sessions page."""

from __future__ import annotations

from typing import Any

from django import template

from kluis.identity import devices, signins

register = template.Library()


@register.inclusion_tag("identity/recent_sign_ins.html", takes_context=True)
def recent_sign_ins(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {"events": signins.recent(request.user, getattr(request, "tenant", None))}


@register.filter
def device(agent: str) -> str:
    """A user agent as "Firefox on Windows"."""
    return devices.describe_agent(str(agent or ""))


@register.filter
def sign_in_method(method: str) -> str:
    return devices.describe_method(str(method or ""))
