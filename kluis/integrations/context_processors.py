"""The banner about webhooks that need attention (turned off by delivery, or failing for
a while), for the members who manage webhooks. Read only when a page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.integrations import selectors_webhooks


def webhook_banner(request: HttpRequest) -> dict[str, Any]:
    if getattr(request, "membership", None) is None:
        return {}

    def troubles() -> list[Any]:
        actor = getattr(request, "actor", None) or Actor.for_request(request)
        if not can(actor, "integrations.manage_webhooks"):
            return []
        found = selectors_webhooks.troubled(actor)
        for subscription in found:
            subscription.reason = selectors_webhooks.REASONS.get(  # type: ignore[attr-defined]
                subscription.disabled_reason, ""
            )
        return found

    return {"webhook_troubles": SimpleLazyObject(troubles)}
