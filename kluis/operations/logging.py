"""What every log line carries, so one request or one task can be followed end to end:
the request id, the company (tenant id) and who acted (actor id: `user:<id>`,
`api_client:<id>` or `system`), and in the worker the task's id and job name. Only ids,
never names, e-mail addresses or other personal data (docs/decisions/0024). The values
live in context variables set where they become known: the request id by the request id
middleware and the API pipeline, the company and actor by `LogContextMiddleware` (pages)
and the API's authentication step (`bind_actor`), the task by the task queue's signals."""

from __future__ import annotations

import logging
import os
import threading
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kluis.access.actor import Actor

NONE = "-"
current_request_id: ContextVar[str] = ContextVar("kluis_request_id", default=NONE)
current_tenant_id: ContextVar[str] = ContextVar("kluis_tenant_id", default=NONE)
current_actor_id: ContextVar[str] = ContextVar("kluis_actor_id", default=NONE)
current_task_id: ContextVar[str] = ContextVar("kluis_task_id", default=NONE)
current_task: ContextVar[str] = ContextVar("kluis_task", default=NONE)


def begin_request(request_id: str) -> None:
    """A new request on this thread: its id; no company or actor until they are known.
    Not reset afterwards: Django logs a failed response after the middleware returns."""
    current_request_id.set(request_id)
    current_tenant_id.set(NONE)
    current_actor_id.set(NONE)


def bind(tenant_id: int | None, actor_id: str) -> None:
    current_tenant_id.set(NONE if tenant_id is None else str(tenant_id))
    current_actor_id.set(actor_id or NONE)


def actor_id_of(actor: Actor) -> str:
    """`user:<id>`, `api_client:<id>` or the kind alone (`system`): an id, never a label."""
    if actor.kind == "api_client" and actor.api_client_id is not None:
        return f"api_client:{actor.api_client_id}"
    if actor.user_id is not None:
        return f"{actor.kind}:{actor.user_id}"
    return actor.kind


def bind_actor(actor: Actor) -> None:
    bind(actor.tenant.pk if actor.tenant is not None else None, actor_id_of(actor))


def task_started(sender: object, task_result: Any, **_kwargs: object) -> None:
    """django.tasks' task_started signal: the worker's lines carry the task."""
    current_task_id.set(str(task_result.id))
    current_task.set(str(getattr(task_result.task, "module_path", NONE)))
    begin_request(NONE)


def task_finished(sender: object, task_result: Any, **_kwargs: object) -> None:
    current_task_id.set(NONE)
    current_task.set(NONE)


def connect_task_signals() -> None:
    from django.tasks.signals import task_finished as finished
    from django.tasks.signals import task_started as started

    started.connect(task_started, dispatch_uid="kluis.operations.logging.task_started")
    finished.connect(task_finished, dispatch_uid="kluis.operations.logging.task_finished")


class RequestIdFilter(logging.Filter):
    """Puts the context (request, company, actor, task) on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        record.tenant_id = current_tenant_id.get()
        record.actor_id = current_actor_id.get()
        record.task_id = current_task_id.get()
        record.task = current_task.get()
        return True


class TaskQueueLevelFilter(logging.Filter):
    """The task queue's own lines below a level (`KLUIS_TASK_LOG_LEVEL`, WARNING by
    default) are left out: a start and an end line for every webhook drain and every
    sweep would bury everything else. A filter on the handler, because the queue's worker
    command sets its loggers' levels itself; a failed task (ERROR) always passes."""

    # (and, on a broker, RQ's and Celery's workers: KLUIS_TASKS_BACKEND=rq or celery)
    QUEUE_LOGGERS = ("django.tasks", "django_tasks_db", "rq.", "celery.", "kombu.")

    def __init__(self, level: str = "WARNING") -> None:
        super().__init__()
        self.level = logging.getLevelName(level.upper())
        if not isinstance(self.level, int):
            self.level = logging.WARNING

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= self.level:
            return True
        return not record.name.startswith(self.QUEUE_LOGGERS)


class RefusalFilter(logging.Filter):
    """A refused request is one line. Django logs every 4xx (a 403 for a page one's role
    may not use, a 400) at WARNING with the exception's whole traceback, which buries the
    errors that matter: the line keeps its status, method and path, the traceback goes.
    An error (5xx, logged at ERROR) keeps its traceback."""

    REQUEST_LOGGERS = ("django.request", "django.security")

    def filter(self, record: logging.LogRecord) -> bool:
        if (
            record.exc_info
            and record.levelno < logging.ERROR
            and record.name.startswith(self.REQUEST_LOGGERS)
        ):
            record.exc_info = None
            record.exc_text = None
        return True


class ProcessFileHandler(logging.Handler):
    """Appends to a file (`KLUIS_LOG_FILE`); `{pid}` in its name becomes the process id, so
    every process (granian's workers, the worker, the test run's) writes a file of its own.
    Opened on first use and again after a fork."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self._pid = 0
        self._stream: Any = None
        self._opening = threading.Lock()

    def _open(self) -> Any:
        pid = os.getpid()
        if self._stream is None or self._pid != pid:
            with self._opening:
                if self._stream is None or self._pid != pid:
                    path = self.path.replace("{pid}", str(pid))
                    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
                    self._stream = open(path, "a", encoding="utf-8")  # noqa: SIM115
                    self._pid = pid
        return self._stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            stream = self._open()
            stream.write(self.format(record) + "\n")
            stream.flush()
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        with self._opening:
            if self._stream is not None and self._pid == os.getpid():
                self._stream.close()
            self._stream = None
        super().close()
