"""The transactional outbox: domain events written in the same transaction as the change.

Webhook delivery (a later issue) reads from here in the worker, so no change can exist
without its event and no event without its change.
"""

from __future__ import annotations

from django.db import models

from kluis.tenancy.models import Tenant


class DomainEvent(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    # Thin payloads: identifiers and field names, never sensitive values.
    payload = models.JSONField(default=dict)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["tenant", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.name} {self.object_type}:{self.object_id}"
