"""The backups component of /health/ready and the status page: degraded (not failed: a
load balancer keeps sending traffic) when the last backup or its verification failed, or
when no good backup is younger than KLUIS_BACKUP_MAX_AGE_HOURS (26 by default). Says
nothing about archive names, sizes or destinations: the endpoint is public."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from kluis.backups.models import BackupRun


def last_good() -> BackupRun | None:
    """The newest backup stored everywhere and verified (for the status page and metrics)."""
    return BackupRun.objects.filter(ok=True, verified=True).order_by("-started_at").first()


def last_good_age_seconds() -> float | None:
    """Seconds since the newest good backup finished (the metric); None before the first."""
    good = last_good()
    if good is None:
        return None
    return (timezone.now() - (good.finished_at or good.started_at)).total_seconds()


def check_backups() -> dict[str, Any]:
    if not settings.BACKUP_ENABLED:
        return {"ok": True, "enabled": False, "detail": "scheduled backups are off"}
    good = last_good()
    age = None
    if good is not None:
        age = round((timezone.now() - (good.finished_at or good.started_at)).total_seconds())
    latest = BackupRun.objects.exclude(ok=None).order_by("-started_at", "-pk").first()
    max_age = settings.BACKUP_MAX_AGE_HOURS
    if latest is not None and not latest.ok:
        detail = "the last backup failed"
    elif latest is not None and latest.verified is False:
        detail = "the last backup failed verification"
    elif good is None:
        detail = "no backup yet"
    elif age is not None and age > max_age * 3600:
        detail = f"no good backup in the last {max_age} hours"
    else:
        detail = ""
    return {
        "ok": not detail,
        "enabled": True,
        "last_success_seconds_ago": age,
        "detail": detail or "ok",
    }
