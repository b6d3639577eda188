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
