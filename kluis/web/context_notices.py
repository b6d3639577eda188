"""The header's badge: how many of my notices are unread (one count query per page)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kluis.access.actor import Actor
from kluis.company.notices import unread


def unread_notices(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "membership", None) is None:
        return {}
    actor = getattr(request, "actor", None) or Actor.for_request(request)
    request.actor = actor  # type: ignore[attr-defined]
    return {"unread_notices": unread(actor)}
