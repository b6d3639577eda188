"""An offboarding: one person leaving one company, from HR's request through the second
person's approval to the moment their access ends (kluis/offboarding/revocation.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.querysets import TenantManager


class Moment(models.TextChoices):
    IMMEDIATELY = "immediately", _("Immediately after approval")
    END_OF_LAST_DAY = "end_of_last_day", _("At the end of the last working day")


class Status(models.TextChoices):
    REQUESTED = "requested", _("Waiting for approval")
    APPROVED = "approved", _("Approved, waiting for its moment")
    EXECUTED = "executed", _("Access revoked")
    REJECTED = "rejected", _("Rejected")
    FAILED = "failed", _("Could not be carried out")


OPEN = (Status.REQUESTED, Status.APPROVED)


class Offboarding(models.Model):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="+")
    # The leaver's access to the company (none for an employee who never had one).
    membership = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_day = models.DateField()
    reason = models.CharField(max_length=500)
    moment = models.CharField(max_length=20, choices=Moment.choices)
    # The member the company's integration credentials the leaver made are handed to.
    handover_to = models.ForeignKey(
        Membership, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUESTED)
    # When access ends: set at approval (immediately: then; else the end of the last day).
    effective_at = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=254)
    requested_at = models.DateTimeField(auto_now_add=True)
    # The four-eyes request (kluis.approvals) this offboarding waits on.
    approval_request_id = models.PositiveBigIntegerField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by_label = models.CharField(max_length=254, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    rejected_reason = models.CharField(max_length=500, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)
    # Exactly what was revoked and handed over: kinds to lists of ids (revocation.py).
    revoked = models.JSONField(default=dict, blank=True)
    failure = models.CharField(max_length=300, blank=True)
    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["status", "effective_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["employee"],
                condition=models.Q(status__in=["requested", "approved"]),
                name="offboarding_one_open_per_employee",
            )
        ]

    def __str__(self) -> str:
        return f"{self.employee} ({self.last_day.isoformat()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN
