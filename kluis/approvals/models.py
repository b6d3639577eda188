"""The two-person rule: which actions a company holds for a second approver, and the
requests held.

A request keeps exactly what the action will do (its parameters; sensitive ones sealed
with the vault), what the target looked like when it was made (a fingerprint: a request
whose target changed meanwhile cannot be approved), who asked and who decided."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class ApprovalPolicy(models.Model):
    """A company's choice of the optional actions that need a second approver."""

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    actions = models.JSONField(default=list, blank=True)
    # A wage change needs approval when it moves the amount by more than this (percent).
    wage_change_percent = models.PositiveSmallIntegerField(default=10)
    expiry_hours = models.PositiveSmallIntegerField(default=72)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantManager()

    def __str__(self) -> str:
        return "two-person rule"


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STALE = "stale", _("Changed meanwhile: must be requested again")
    FAILED = "failed", _("Approved, but could not be applied")


OPEN = (Status.PENDING,)


class ApprovalRequest(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    # What the action's apply reads; never a sensitive value (those go in `sealed`).
    payload = models.JSONField(default=dict, blank=True)
    # The change as the approver sees it: [{"field", "label", "old", "new", "reveal"}];
    # an entry with a `reveal` permission keeps its values in `sealed` only.
    changes = models.JSONField(default=list, blank=True)
    sealed = models.TextField(blank=True)  # vault token of {"payload": {...}, "changes": {...}}
    fingerprint = models.CharField(max_length=128, blank=True)
    note = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_by_label = models.CharField(max_length=254)
    requested_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by_label = models.CharField(max_length=254, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["tenant", "status", "-requested_at"])]

    def __str__(self) -> str:
        return f"{self.action} #{self.pk}"
