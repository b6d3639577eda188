"""Emitting domain events into the outbox, inside the caller's transaction."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

from kluis.integrations.models import DomainEvent
from kluis.tenancy.models import Tenant


def emit(
    name: str, *, tenant: Tenant, target: models.Model, payload: dict[str, Any] | None = None
) -> DomainEvent:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"events.emit({name!r}) outside a transaction")
    return DomainEvent.objects.create(
        tenant=tenant,
        name=name,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        payload={"id": target.pk, **(payload or {})},
    )
