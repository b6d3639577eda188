"""Emitting domain events into the outbox, inside the caller's transaction.

The event and the webhook deliveries it owes (kluis.integrations.webhooks.delivery) are
written in the change's transaction: a change that commits always has its event and its
deliveries, a change that rolls back has neither. The worker sends them after commit."""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models, transaction

from kluis.integrations.models import DomainEvent
from kluis.tenancy.models import Tenant


def emit(
    name: str, *, tenant: Tenant, target: models.Model, payload: dict[str, Any] | None = None
) -> DomainEvent:
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
