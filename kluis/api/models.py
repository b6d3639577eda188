"""The API pipeline's own table: stored first responses for Idempotency-Key."""

from __future__ import annotations

from django.db import models

from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager


class IdempotencyRecord(models.Model):
    """The first response to a POST with an Idempotency-Key, replayed for 24 hours."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey("integrations.ApiClient", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    body = models.JSONField(default=dict)
    headers = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    objects = TenantManager()

    class Meta:
        db_table = "integrations_idempotencyrecord"  # made by the integrations app
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_unique_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="integration_created_810d3d_idx")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status})"
