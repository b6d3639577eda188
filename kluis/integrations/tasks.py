"""Scheduled upkeep of the API's stored state (queued by the worker's scheduler)."""

from __future__ import annotations

from django.tasks import task

from kluis.integrations.services import purge_idempotency_records


@task()
def purge_idempotency() -> int:
    """Forget stored POST answers past their replay window (24 h)."""
    return purge_idempotency_records()
