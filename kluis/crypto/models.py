"""A company's data keys, stored only wrapped by a master key that never enters the database."""

from __future__ import annotations

from django.db import models

from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager


class TenantKey(models.Model):
    """One version of a company's 256-bit data key. Tokens name their version, so older
    versions keep opening what they sealed; exactly one version seals new values."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="data_keys")
    version = models.PositiveIntegerField()
    # 12-byte nonce + AES-256-GCM(master key, data key), associated data = tenant + version.
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=True)
    objects = TenantManager()

    class Meta:
        ordering = ["tenant_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version"], name="tenantkey_unique_version"),
            models.UniqueConstraint(
                fields=["tenant"],
                condition=models.Q(is_active=True),
                name="tenantkey_one_active",
            ),
        ]

    def __str__(self) -> str:
        return f"data key v{self.version} of company {self.tenant_id}"
