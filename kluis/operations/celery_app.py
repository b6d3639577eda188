"""Kluis's Celery app (KLUIS_TASKS_BACKEND=celery): Redis as the broker, JSON only, and a
task taken off the queue only once it ran (at least once).

- `task_acks_late` + `task_reject_on_worker_lost`: a task is acknowledged after it ran; a
  worker that dies while running it leaves it unacknowledged, and Redis hands it to another
  worker after the visibility timeout (settings.TASKS_LOST_AFTER_SECONDS; Celery cannot
  tell a lost worker from a slow one, so the timeout is longer than the longest task).
- A task that raises is acknowledged (failed, not retried), as on the database backend.
- JSON is the only serializer accepted: a message never unpickles anything.
- No result backend: Kluis never reads a task's result back.
Tasks are django.tasks tasks, registered with the app by django-tasks-celery when their
module is imported (the worker imports them all before it starts)."""

from __future__ import annotations

from celery import Celery
from django.conf import settings

QUEUE = "kluis"

app = Celery("kluis")
_lost_after = max(3, int(settings.TASKS_LOST_AFTER_SECONDS))
app.conf.update(
    broker_url=settings.TASKS_BROKER_URL,
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # a worker waits for Redis to come back
    broker_transport_options={
        "visibility_timeout": _lost_after,
        "unacked_restore_interval": max(1, _lost_after // 3),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 5,
    },
    # A publish the broker refuses is tried twice more (0.4 s), then the task is kept in
    # the database (kluis/operations/tasks_backends.py) rather than holding the request.
    task_publish_retry_policy={
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    },
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    event_serializer="json",
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,
    task_ignore_result=True,
    result_backend=None,
    task_default_queue=QUEUE,
    worker_prefetch_multiplier=1,
    worker_hijack_root_logger=False,
    worker_send_task_events=False,
    enable_utc=True,
    timezone="UTC",
)
