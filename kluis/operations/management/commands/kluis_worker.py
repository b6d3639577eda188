"""The background worker: the configured backend's worker (django-tasks-db's db_worker, RQ
or Celery: kluis/operations/workers.py), a heartbeat for /health/ready, the scheduler that
queues scheduled jobs once per period (kluis/operations/schedule.py) and, on a broker, the
relay of tasks kept in the database while the broker was away
(kluis/operations/tasks_backends.py)."""

from __future__ import annotations

import os
import socket
import threading
import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connection
from django.utils import timezone

from kluis.operations import schedule, workers
from kluis.operations.health import beat


def relay() -> int:
    if getattr(settings, "TASKS_KIND", "database") not in {"rq", "celery"}:
        return 0
    from kluis.operations.tasks_backends import relay as relay_kept

    return relay_kept()


class Command(BaseCommand):
    help = "Run the background worker (task queue + heartbeat)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--queue", default="default")

    def handle(self, *args: Any, **options: Any) -> None:
        worker_id = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        started = timezone.now()
        stop = threading.Event()

        def heartbeat() -> None:
            while not stop.is_set():
                try:
                    beat(worker_id, socket.gethostname(), os.getpid(), started)
                except Exception as exc:  # keep beating; the database may come back
                    self.stderr.write(f"heartbeat failed: {type(exc).__name__}")
                finally:
                    close_old_connections()
                    connection.close()
                stop.wait(settings.WORKER_HEARTBEAT_SECONDS)

        def scheduler() -> None:
            while not stop.wait(1.0):
                try:
                    schedule.run_due()
                except Exception as exc:  # the database may come back
                    self.stderr.write(f"scheduler failed: {type(exc).__name__}")
                try:
                    relay()
                except Exception as exc:  # the database or the broker may come back
                    self.stderr.write(f"relay failed: {type(exc).__name__}")
                finally:
                    close_old_connections()
                    connection.close()

        thread = threading.Thread(target=heartbeat, name="kluis-heartbeat", daemon=True)
        thread.start()
        timer = threading.Thread(target=scheduler, name="kluis-scheduler", daemon=True)
        timer.start()
        try:
            workers.run(options["queue"])
        finally:
            stop.set()
            thread.join(timeout=5)
            timer.join(timeout=5)
