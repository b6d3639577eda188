"""The task-running part of `kluis worker` for each backend (kluis_worker.py adds the
heartbeat, the scheduler and the relay threads): django-tasks-db's db_worker, an RQ worker
or a Celery worker, each stopping on SIGTERM after the task it runs (warm shutdown)."""

from __future__ import annotations

import os
import socket

from django.conf import settings
from django.core.management import call_command


def run(queue: str) -> None:
    kind = getattr(settings, "TASKS_KIND", "database")
    if kind == "rq":
        run_rq(queue)
    elif kind == "celery":
        run_celery(queue)
    else:
        # Idle, it looks for new tasks five times a second: a webhook waits for the worker
        # at most that long (one indexed query each time).
        call_command("db_worker", queue_name=queue, interval=0.2, reload=False)


def _name() -> str:
    return f"kluis-{socket.gethostname()}-{os.getpid()}"


def run_rq(queue: str) -> None:
    """An RQ worker on the queue, with RQ's scheduler for deferred tasks (a webhook's
    next retry), one lock per queue across workers."""
    import django_rq
    from django_tasks_rq.backend import Job

    from kluis.operations.tasks_backends import import_task_modules
    from kluis.operations.tasks_rq import KluisWorker

    import_task_modules()
    queues = [django_rq.get_queue(queue, job_class=Job)]
    worker = KluisWorker(queues, connection=queues[0].connection, name=_name())
    worker.work(with_scheduler=True, logging_level="INFO")


def run_celery(queue: str) -> None:
    """A Celery worker in this process, one task at a time (the solo pool: no fork, as the
    worker also runs Kluis's threads); `default` is Kluis's Celery queue."""
    from kluis.operations.celery_app import QUEUE, app
    from kluis.operations.tasks_backends import import_task_modules

    import_task_modules()
    app.worker_main(
        [
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--queues={QUEUE if queue == 'default' else queue}",
            f"--hostname={_name()}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
    )
