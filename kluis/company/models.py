"""Notices: what the app tells a member ("your leave was approved", "a request waits for
you"), shown in the app until read, and e-mailed (kluis/company/notices.py)."""

from __future__ import annotations

from django.db import models

from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class Notice(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="notices")
    # What kind of notice (e.g. "leave_request.approved"), for filtering and tests.
    topic = models.CharField(max_length=60)
    # The text, written once in the member's language when made (kept as sent).
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)  # a path inside Kluis
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "membership", "read_at", "created_at"])]

    def __str__(self) -> str:
        return self.title
