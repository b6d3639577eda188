"""RQ for Kluis's tasks (KLUIS_TASKS_BACKEND=rq): django-tasks-rq's job on django-rq's
queues, and a worker that runs a killed worker's task again (at least once).

- `KluisQueue` gives every job three lives (`Retry`) that only an abandoned run spends:
  when a worker stops beating (killed, its host gone), another worker finds its task in the
  started-job registry and queues it again. A task that raises is failed, not retried, as
  on the database backend.
- `KluisWorker` runs tasks in its own process (no fork per task: the worker also runs the
  heartbeat and scheduler threads, and a fork of a process with threads is not safe),
  and beats for the running task from a thread, so a long task (a backup) is never taken
  for a lost one while its worker lives; one that stops beating is lost after
  settings.TASKS_LOST_AFTER_SECONDS."""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connections
from django_rq.queues import DjangoRQ
from django_tasks_rq.backend import Job
from rq import Retry, SimpleWorker
from rq.worker import WorkerStatus

logger = logging.getLogger(__name__)

LIVES = 3  # runs of a task whose worker was lost, before it counts as failed
FAILED_KEPT_SECONDS = 7 * 86400  # how long a failed job stays in Redis to be looked at
DONE_KEPT_SECONDS = 60  # a finished job's (Kluis reads no result back)


class KluisQueue(DjangoRQ):
    def create_job(self, *args: Any, **kwargs: Any) -> Any:
        kwargs["retry"] = kwargs.get("retry") or Retry(max=LIVES)
        kwargs["failure_ttl"] = kwargs.get("failure_ttl") or FAILED_KEPT_SECONDS
        kwargs["result_ttl"] = kwargs.get("result_ttl") or DONE_KEPT_SECONDS
        return super().create_job(*args, **kwargs)


def _fresh_connections() -> None:
    """Drop broken or expired database connections between tasks, as Django does between
    requests (never inside a transaction: a worker run inside a test's)."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


def lost_after() -> int:
    return max(3, int(settings.TASKS_LOST_AFTER_SECONDS))


class KluisWorker(SimpleWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        seconds = lost_after()
        kwargs.setdefault("job_monitoring_interval", max(1, seconds // 3))
        # Idle, the worker wakes every `seconds // 2` to look for lost tasks of others.
        kwargs.setdefault("worker_ttl", 15 + max(1, seconds // 2))
        kwargs.setdefault("maintenance_interval", max(1, seconds // 2))
        kwargs.setdefault("job_class", Job)
        kwargs.setdefault("queue_class", KluisQueue)
        super().__init__(*args, **kwargs)

    def subscribe(self) -> None:
        """RQ's command channel, its thread looking every second (RQ's minute made a
        stopping worker wait up to a minute for it)."""
        self.pubsub = self.connection.pubsub()
        self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
        self.pubsub_thread = self.pubsub.run_in_thread(  # type: ignore[assignment]
            sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
        )

    def get_heartbeat_ttl(self, job: Any, working_time: float = 0.0) -> int:
        return lost_after()

    def execute_job(self, job: Any, queue: Any) -> None:
        execution = self.prepare_execution(job)
        done = threading.Event()

        def beat() -> None:
            while not done.wait(self.job_monitoring_interval):
                try:
                    self.maintain_heartbeats(job, execution)
                except Exception as exc:  # Redis may come back before the task is lost
                    logger.warning("task heartbeat failed: %s", type(exc).__name__)

        beating = threading.Thread(target=beat, name="kluis-rq-beat", daemon=True)
        beating.start()
        _fresh_connections()  # a database that restarted since the last task
        try:
            self.perform_job(job, queue, execution)
        finally:
            done.set()
            _fresh_connections()
            beating.join(timeout=5)
        self.set_state(WorkerStatus.IDLE)

    def handle_job_failure(self, job: Any, queue: Any, *args: Any, **kwargs: Any) -> None:
        """A task that raised is failed, not retried (its lives are for lost workers)."""
        job.retries_left = None
        super().handle_job_failure(job, queue, *args, **kwargs)
