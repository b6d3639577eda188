"""Append-only, hash-chained audit log, one chain per company.

Each event stores the hash of its predecessor and its own hash over its content, so
altering or removing a row breaks the chain where `kluis audit verify` can see it.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager, TenantQuerySet


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only")


class ChainedEvent(models.Model):
    """What a hash-chained log entry holds: a company's audit event, an operator's event."""

    occurred_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=20)
    # Plain values, not foreign keys: the chain must survive a user being removed.
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_label = models.CharField(max_length=254)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    sequence: Any
    append_only_message = "The audit log is append-only"

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(self.append_only_message)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError(self.append_only_message)


class AuditEvent(ChainedEvent):
    tenant = models.ForeignKey(Tenant, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField()

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "sequence"], name="audit_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["tenant", "occurred_at"]),
            models.Index(fields=["tenant", "action"]),
            models.Index(fields=["tenant", "actor_user_id"]),
            models.Index(fields=["tenant", "object_type", "object_id"]),
        ]


class AuditChainHead(models.Model):
    """The last sequence and hash of a company's chain; locked while appending.

    It also lets verify notice that the newest events were removed.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    objects = TenantManager()

    def __str__(self) -> str:
        return f"{self.tenant_id}: #{self.sequence}"


class OperatorEvent(ChainedEvent):
    """The platform operators' log: what operators did that belongs to no one company
    (feature flags, status incidents, restores). One hash chain, like a company's
    (kluis/audit/platform.py), verified by `kluis audit verify`."""

    sequence = models.PositiveBigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    action = models.CharField(max_length=80, db_index=True)

    append_only_message = "The operator log is append-only"

    class Meta:
        ordering = ["-sequence"]


class OperatorChainHead(models.Model):
    """The last sequence and hash of the operators' chain (one row); locked while appending."""

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"operators: #{self.sequence}"
