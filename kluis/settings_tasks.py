"""Background tasks: the task backend and the worker's heartbeat."""

from __future__ import annotations

import os

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401

# --- Background tasks -------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KLUIS_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
WORKER_HEARTBEAT_SECONDS = 10
WORKER_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("KLUIS_WORKER_MAX_AGE", "60"))
HEALTH_MIN_FREE_DISK_BYTES = int(os.environ.get("KLUIS_MIN_FREE_DISK_BYTES", str(200 * 1024**2)))
