"""Put the request id on every log line so one request can be followed end to end."""

from __future__ import annotations

import logging
from contextvars import ContextVar

current_request_id: ContextVar[str] = ContextVar("kluis_request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        return True


class TaskQueueLevelFilter(logging.Filter):
    """The task queue's own lines below a level (`KLUIS_TASK_LOG_LEVEL`, WARNING by
    default) are left out: a start and an end line for every webhook drain and every
    sweep would bury everything else. A filter on the handler, because the queue's worker
    command sets its loggers' levels itself; a failed task (ERROR) always passes."""

    QUEUE_LOGGERS = ("django.tasks", "django_tasks_db")

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
