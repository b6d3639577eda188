"""What the worker did about backups: platform-level operational records, no company data.

A `BackupRun` is one backup taken (by the schedule or an operator), where it went, what it
held (table and row counts only: no personal data), whether it verified, and what retention
deleted afterwards."""

from __future__ import annotations

from django.db import models


class BackupRun(models.Model):
    SCHEDULED, MANUAL = "scheduled", "manual"

    trigger = models.CharField(max_length=20, default=SCHEDULED)
    # "<local date>#<attempt>" for a scheduled run: the unique row is how several workers
    # agree that one of them takes the day's backup (NULL for a manual run).
    slot = models.CharField(max_length=40, unique=True, null=True, blank=True)
    started_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    ok = models.BooleanField(null=True)  # None while it runs: stored in every destination
    archive_name = models.CharField(max_length=120, blank=True, db_index=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    destinations = models.JSONField(default=list)  # labels it was stored in: ["local", "s3"]
    summary = models.JSONField(default=dict)  # vendor, migrations, rows per table, files
    error = models.TextField(blank=True)  # one line, no secrets, no personal data
    verified = models.BooleanField(null=True)  # None until verified (or when not stored)
    verified_at = models.DateTimeField(null=True, blank=True)
    verify_problems = models.JSONField(default=list)
    pruned = models.JSONField(default=dict)  # {destination: [archive names deleted]}
    alerted = models.BooleanField(default=False)  # the operators were e-mailed

    class Meta:
        ordering = ["-started_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.archive_name or 'backup'} ({self.started_at:%Y-%m-%d %H:%M:%S})"

    @property
    def good(self) -> bool:
        """Stored everywhere and verified by restoring it."""
        return bool(self.ok and self.verified)
