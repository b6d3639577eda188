from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from kluis.access.actor import Actor
from kluis.access.authorization import grants_of
from kluis.access.permissions import SCOPE_RANK, Scope
from kluis.web.navigation import NAVIGATION


def navigation(request: HttpRequest) -> dict[str, Any]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {"nav_items": []}
    actor = getattr(request, "actor", None) or Actor.for_request(request)
    request.actor = actor  # type: ignore[attr-defined]
    grants = grants_of(actor)
    items: list[dict[str, Any]] = []
    for item in NAVIGATION:
        if item.permission is not None:
            scope = grants.get(item.permission)
            if scope is None or SCOPE_RANK[Scope(scope)] < SCOPE_RANK[item.min_scope]:
                continue
        if item.available is not None and not item.available(membership.tenant):
            continue
        items.append({"label": item.label, "url": reverse(item.url_name), "active": False})
    # The entry whose URL is the longest prefix of this page is the current one.
    path = request.path
    matches = [
        i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(str(i["url"])))["active"] = True
    return {"nav_items": items, "current_membership": membership}
