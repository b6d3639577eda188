"""Operational state that belongs to no company: worker heartbeats."""

from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    worker_id = models.CharField(max_length=100, unique=True)
    hostname = models.CharField(max_length=200)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    last_seen = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.last_seen:%Y-%m-%d %H:%M:%S})"


class OutboxMessage(models.Model):
    """An e-mail Kluis sent in development, kept for the local outbox page (/dev/outbox/)
    by kluis.operations.outbox.OutboxBackend. In the database, so that the web processes
    and the worker (which sends most mail) share it. Production refuses that backend."""

    sent_at = models.DateTimeField(db_index=True)
    from_email = models.CharField(max_length=254)
    to = models.TextField()  # the recipients (to, cc, bcc), comma-separated
    subject = models.CharField(max_length=998)
    body = models.TextField()

    class Meta:
        ordering = ["-sent_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.sent_at:%Y-%m-%d %H:%M:%S} {self.subject}"


class ScheduledRun(models.Model):
    """A scheduled job queued for one period (kluis/operations/schedule.py): the unique row
    is how several workers agree that it is queued once."""

    job = models.CharField(max_length=100)
    period = models.BigIntegerField()
    queued_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="scheduled_run_once_per_period")
        ]

    def __str__(self) -> str:
        return f"{self.job} #{self.period}"
