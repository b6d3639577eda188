"""The `broker` component of /health/ready on rq and celery (kluis/operations/
tasks_backends.py). Apart from the backends so that a process on the database backend
never imports rq, celery or kombu."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def check_broker() -> dict[str, Any]:
    """The `broker` component of /health/ready (rq and celery): a PING of the broker's
    Redis, and how many tasks wait in the database for it (kept while it was away)."""
    import redis

    from kluis.operations.shared_state import pool_options

    url = settings.TASKS_BROKER_URL
    waiting = _kept_waiting()
    try:
        with redis.Redis.from_url(url, **pool_options()) as connection:
            connection.ping()
    except redis.exceptions.RedisError as error:
        return {
            "ok": False,
            "detail": f"unreachable: {type(error).__name__}; tasks are kept in the database",
            "kept": waiting,
        }
    return {"ok": True, "kept": waiting}


def _kept_waiting() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().count()


def register() -> None:
    """From the operations app's ready(): the broker's health check on rq and celery. Not
    critical: while the broker is away a node keeps serving and the tasks wait in the
    database (readiness stays 200 and names it)."""
    if getattr(settings, "TASKS_KIND", "") in {"rq", "celery"}:
        from kluis.operations import health

        health.register_check("broker", check_broker, critical=False)
