"""What Kluis knows about a sandbox company: where it comes from, who made it, and when it
goes. A platform-level row about two companies (the sandbox and its source), so it has no
`tenant` column of its own: row-level security narrows a request to one company, and the
source's owner page and the sandbox's banner each read it through kluis.sandbox.selectors."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.tenancy.models import Tenant


class Sandbox(models.Model):
    class Status(models.TextChoices):
        PREPARING = "preparing", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    company = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="sandbox_record")
    source = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    # Plain values, not foreign keys: the record outlives neither company, but the person
    # who made it may leave the source first.
    created_by_user_id = models.BigIntegerField(null=True, blank=True)
    created_by_label = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREPARING)
    people_planned = models.PositiveIntegerField(default=0)
    people_made = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["expires_at", "pk"]
        indexes = [models.Index(fields=["source", "expires_at"])]

    def __str__(self) -> str:
        return f"sandbox {self.company_id} of {self.source_id}"
