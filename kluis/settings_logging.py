"""Logging: one line per record with the request id, company and actor (and the task in
the worker); refused requests without a traceback; the task queue's routine lines only at
KLUIS_TASK_LOG_LEVEL=INFO. KLUIS_LOG_FORMAT: `json` (the default in production) or `text`
(the default in development and tests); KLUIS_LOG_LEVEL the level; KLUIS_LOG_FILE also
appends every line to a file (`{pid}` in the name: one file per process). See
docs/operations.md "Metrics and logs". Imported by kluis/settings.py."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured
from pythonjsonlogger.core import RESERVED_ATTRS

from kluis.settings_env import PRODUCTION

__all__ = ["LOGGING", "LOG_FORMAT"]

LOG_FORMAT = os.environ.get("KLUIS_LOG_FORMAT", "json" if PRODUCTION else "text").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"KLUIS_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
_LOG_FILE = os.environ.get("KLUIS_LOG_FILE", "").strip()
_FILTERS = ["context", "task_queue", "refusal"]

LOGGING: dict[str, object] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "kluis.operations.logging.RequestIdFilter"},
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
        "text": {
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s "
            "tenant=%(tenant_id)s actor=%(actor_id)s task=%(task_id)s] %(message)s"
        },
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(levelname)s %(name)s %(message)s %(request_id)s "
            "%(tenant_id)s %(actor_id)s %(task_id)s %(task)s %(process)d",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,  # "timestamp": ISO 8601, UTC
            # Django's request object (an extra of django.request's lines) is not written:
            # the message has the method and path already.
            "reserved_attrs": [*RESERVED_ATTRS, "request"],
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": _FILTERS,
        },
        **(
            {
                "file": {
                    "()": "kluis.operations.logging.ProcessFileHandler",
                    "path": _LOG_FILE,
                    "formatter": LOG_FORMAT,
                    "filters": _FILTERS,
                }
            }
            if _LOG_FILE
            else {}
        ),
    },
    "root": {
        "handlers": ["console", "file"] if _LOG_FILE else ["console"],
        "level": os.environ.get("KLUIS_LOG_LEVEL", "INFO"),
    },
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
