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
