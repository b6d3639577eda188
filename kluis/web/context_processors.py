from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.web.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_items": []}
    actor = getattr(request, "actor", None) or Actor.for_request(request)
    request.actor = actor  # type: ignore[attr-defined]
    items = []
    for item in NAVIGATION:
        if item.permission is None or can(actor, item.permission):
            url = reverse(item.url_name)
            active = request.path == url or (url != "/" and request.path.startswith(url))
            items.append({"label": item.label, "url": url, "active": active})
    return {"nav_items": items, "current_membership": membership}
