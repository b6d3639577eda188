"""The last release each person has seen the "What's new" of (a person's own preference,
not company data: one row per user, whatever companies they belong to)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ReleaseSeen(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="release_seen",
    )
    version = models.CharField(max_length=20)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.version}"
