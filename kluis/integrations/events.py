"""Emitting domain events into the outbox, inside the caller's transaction.

The event and the webhook deliveries it owes (kluis.integrations.webhooks.delivery) are
written in the change's transaction: a change that commits always has its event and its
deliveries, a change that rolls back has neither. The worker sends them after commit.

Only events of the catalogue (kluis/integrations/webhooks/catalogue.py) are emitted, so
nothing is sent that is not documented; an `*.updated` event names the fields that
changed (`payload["fields"]`, names only, never values)."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models, transaction

from kluis.integrations.models import DomainEvent
from kluis.integrations.webhooks import catalogue
from kluis.tenancy.models import Tenant


def emit(
    name: str, *, tenant: Tenant, target: models.Model, payload: dict[str, Any] | None = None
) -> DomainEvent:
    if not catalogue.known(name):
        raise ValueError(
            f"events.emit({name!r}): not in the event catalogue (register it, or keep it quiet, "
            "in the emitting app's events module)"
        )
    if name.endswith(".updated") and not isinstance((payload or {}).get("fields"), list):
        raise ValueError(f"events.emit({name!r}) without the names of the changed fields")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"events.emit({name!r}) outside a transaction")
    event = DomainEvent.objects.create(
        tenant=tenant,
        name=name,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        payload={"id": target.pk, **(payload or {})},
        uid="evt_" + secrets.token_hex(12),
    )
    from kluis.integrations.webhooks.delivery import fan_out

    fan_out(event)
    return event
