"""Logging: one console line per record, with the request id; refused requests without a
traceback; the task queue's routine lines only at KLUIS_TASK_LOG_LEVEL=INFO. The level is
KLUIS_LOG_LEVEL (docs/operations.md). Imported by kluis/settings.py."""

from __future__ import annotations

import os

__all__ = ["LOGGING"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "kluis.operations.logging.RequestIdFilter"},
        # A refused request (4xx) is one line, without the traceback Django adds.
        "refusal": {"()": "kluis.operations.logging.RefusalFilter"},
        # The task queue's start and end line of every task (webhook drains several times a
        # second, the sweep every 15 s) only with KLUIS_TASK_LOG_LEVEL=INFO.
        "task_queue": {
            "()": "kluis.operations.logging.TaskQueueLevelFilter",
            "level": os.environ.get("KLUIS_TASK_LOG_LEVEL", "WARNING"),
        },
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_id", "task_queue", "refusal"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("KLUIS_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
