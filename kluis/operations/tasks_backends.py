"""Kluis's task backends on a broker (KLUIS_TASKS_BACKEND=rq or celery), and what keeps a
task from being lost when the broker is away.

A task is queued after its change committed (`transaction.on_commit`). When the broker
does not answer then (Redis restarting), the change cannot be undone and the task must not
be lost, nor the request fail: the backend keeps the task in the database instead
(django-tasks-db's table, which every installation has) and a worker's relay thread
(`relay`) hands it to the broker once it answers again. Each row is handed over once:
it is deleted in the transaction that queues it, so a failed hand-over keeps it.

- `RQBackend`: django-tasks-rq's backend. It is written against the django-tasks backport
  package, but its enqueue and its worker-side job accept a `django.tasks.Task` (its
  compat module), so it serves as a `django.tasks` backend with two changes: its tasks are
  made as `django.tasks.Task` (its `task_class` would make the backport's), and its system
  check does not ask for the `django_rq` app, which Kluis does not install (no admin pages,
  no models).
- `CeleryBackend`: django-tasks-celery's backend (written for `django.tasks`) on Kluis's
  Celery app (kluis/operations/celery_app.py)."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.tasks import Task
from django.utils.module_loading import import_string
from django_tasks_celery.backend import CeleryBackend as _CeleryBackend
from django_tasks_db.compat import normalize_json
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_rq.backend import RQBackend as _RQBackend
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# What a broker that does not answer raises (redis-py for rq, kombu for celery).
BROKER_AWAY = (RedisConnectionError, RedisTimeoutError, OperationalError, ConnectionError)
RELAY_BATCH = 200


class _KeptWhenAway:
    """Queue on the broker; when it does not answer, keep the task in the database."""

    alias: str

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        try:
            return self.enqueue_on_broker(task, args, kwargs)
        except BROKER_AWAY as exc:
            logger.warning(
                "the task broker did not answer (%s): %s kept in the database until it does",
                type(exc).__name__,
                task.module_path,
            )
            return keep(self.alias, task, args, kwargs)

    def enqueue_on_broker(self, task: Any, args: Any, kwargs: Any) -> Any:
        return super().enqueue(task, args, kwargs)  # type: ignore[misc]


def keep(alias: str, task: Any, args: Any, kwargs: Any) -> Any:
    row = DBTaskResult.objects.create(
        args_kwargs=normalize_json({"args": list(args), "kwargs": dict(kwargs)}),
        priority=task.priority,
        task_path=task.module_path,
        queue_name=task.queue_name,
        run_after=task.run_after or get_date_max(),
        backend_name=alias,
    )
    return row.task_result


class RQBackend(_KeptWhenAway, _RQBackend):
    # Tasks are `django.tasks.Task`s (django.tasks's `@task` makes the backend's task_class;
    # django-tasks-rq's would be the backport's), as on every other backend.
    task_class = Task  # type: ignore[assignment]

    def check(self, **kwargs: Any) -> Iterable[Any]:
        """django-tasks-rq's checks but the one asking for the django_rq app."""
        return [
            message
            for message in super().check(**kwargs)
            if "django_rq app not installed" not in str(message.msg)
        ]


class CeleryBackend(_KeptWhenAway, _CeleryBackend):
    def __init__(self, alias: str, params: dict[str, Any]) -> None:
        super().__init__(alias, params)
        self.options.setdefault("CELERY_APP", "kluis.operations.celery_app.app")

    def check(self, **kwargs: Any) -> list[Any]:
        """No results are kept (Kluis reads none back): the result warnings do not apply."""
        return [
            m for m in super().check(**kwargs) if not str(m.id).startswith("django_tasks_celery.W")
        ]


def relay(alias: str = "default") -> int:
    """Hand the tasks kept in the database while the broker was away to the broker; the
    number handed over. Stops at the first that the broker refuses (it is still away)."""
    from django.tasks import task_backends

    backend = task_backends[alias]
    if not isinstance(backend, _KeptWhenAway):
        return 0
    kept = list(
        DBTaskResult.objects.filter(backend_name=alias)
        .ready()
        .order_by("enqueued_at")
        .values_list("pk", flat=True)[:RELAY_BATCH]
    )
    handed = 0
    for pk in kept:
        try:
            with transaction.atomic():
                row = DBTaskResult.objects.filter(pk=pk).select_for_update().first()
                if row is None or not DBTaskResult.objects.filter(pk=pk).delete()[0]:
                    continue  # another worker handed it over
                task = import_string(row.task_path)
                if not isinstance(task, Task):
                    logger.error("kept task %s is not a task: dropped", row.task_path)
                    continue
                when = None if row.run_after == get_date_max() else row.run_after
                backend.enqueue_on_broker(
                    task.using(queue_name=row.queue_name, priority=row.priority, run_after=when),
                    row.args_kwargs["args"],
                    row.args_kwargs["kwargs"],
                )
        except BROKER_AWAY:
            return handed  # still away: the row stays
        handed += 1
    if handed:
        logger.info("handed %d kept task(s) to the broker", handed)
    return handed


def import_task_modules() -> list[str]:
    """Import every Kluis module that declares tasks, so that a worker knows each task a
    message may name before the first arrives (Celery refuses a task it does not know)."""
    root = Path(settings.BASE_DIR) / "kluis"
    imported = []
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if "migrations" in parts or "management" in parts or parts[-1].startswith("settings"):
            continue
        if "@task(" not in path.read_text(encoding="utf-8"):
            continue
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        importlib.import_module(name)
        imported.append(name)
    return imported
