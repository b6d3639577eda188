"""Liveness and readiness: what a load balancer or an operator asks before sending traffic."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from kluis.operations.models import WorkerHeartbeat


def check_database() -> dict[str, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "vendor": connections[DEFAULT_DB_ALIAS].vendor}


def check_migrations() -> dict[str, Any]:
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return {"ok": not plan, "unapplied": len(plan)}


def check_worker() -> dict[str, Any]:
    max_age = settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if latest is None:
        return {"ok": False, "detail": "no worker has reported"}
    age = (timezone.now() - latest.last_seen).total_seconds()
    return {"ok": age <= max_age, "last_seen_seconds_ago": round(age, 1), "max_age": max_age}


def check_disk() -> dict[str, Any]:
    settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(settings.DATA_DIR).free
    minimum = settings.HEALTH_MIN_FREE_DISK_BYTES
    return {"ok": free >= minimum, "free_bytes": free, "min_free_bytes": minimum}


CHECKS: dict[str, Callable[[], dict[str, Any]]] = {
    "database": check_database,
    "migrations": check_migrations,
    "worker": check_worker,
    "disk": check_disk,
}


# Components whose failure degrades Kluis without making it unfit to serve (the backups):
# reported, but readiness, which a load balancer acts on, does not depend on them.
NON_CRITICAL: set[str] = set()


def register_check(
    name: str, check: Callable[[], dict[str, Any]], *, critical: bool = True
) -> None:
    """Apps add their components (the backups, say) from their AppConfig.ready: `check`
    returns {"ok": bool, ...details} and may raise (reported as not ok). A component that is
    not `critical` makes /health/ready report it as degraded and still answer 200."""
    CHECKS[name] = check
    if critical:
        NON_CRITICAL.discard(name)
    else:
        NON_CRITICAL.add(name)


def is_critical(name: str) -> bool:
    return name not in NON_CRITICAL


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    results: dict[str, dict[str, Any]] = {}
    for name, check in CHECKS.items():
        try:
            results[name] = check()
        except Exception as exc:  # a failing dependency must be reported, not raised
            results[name] = {"ok": False, "detail": type(exc).__name__}
        if name == "database" and not results[name]["ok"]:
            break
    for name in CHECKS:
        results.setdefault(name, {"ok": False, "detail": "skipped: database unavailable"})
    return all(r["ok"] for name, r in results.items() if is_critical(name)), results


def beat(worker_id: str, hostname: str, pid: int, started_at: Any) -> None:
    """Record that a worker is alive; operational state, not company data."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={
            "hostname": hostname,
            "pid": pid,
            "started_at": started_at,
            "last_seen": timezone.now(),
        },
    )
    # Forget workers that have been gone for a day.
    WorkerHeartbeat.objects.filter(last_seen__lt=timezone.now() - timedelta(days=1)).delete()
