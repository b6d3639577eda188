"""Background tasks: the task backend and the worker's heartbeat.

`KLUIS_TASKS_BACKEND` chooses where queued tasks wait:
- `database` (the default): django-tasks-db, in Kluis's own database, as on one host;
- `rq`: Redis through RQ (django-tasks-rq);
- `celery`: Celery with Redis as its broker (django-tasks-celery);
- a dotted path of another django.tasks backend keeps working as before.
`KLUIS_TASKS_BROKER_URL` is the broker of rq and celery (default `KLUIS_REDIS_URL`);
`KLUIS_TASKS_LOST_AFTER` is how many seconds after a worker stopped answering its running
task is run again elsewhere (rq: after its last heartbeat; celery: after it was handed out).
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401
from kluis.settings_env import env_whole_number as _whole_number

# --- Background tasks -------------------------------------------------------------------
_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "rq": "kluis.operations.tasks_backends.RQBackend",
    "celery": "kluis.operations.tasks_backends.CeleryBackend",
}
_chosen = os.environ.get("KLUIS_TASKS_BACKEND", "").strip() or "database"
if _chosen.lower() in _BACKENDS:
    TASKS_KIND = _chosen.lower()
    _backend_path = _BACKENDS[TASKS_KIND]
elif "." in _chosen:
    TASKS_KIND = "database" if _chosen.startswith("django_tasks_db.") else "other"
    _backend_path = _chosen
else:
    raise ImproperlyConfigured(
        "KLUIS_TASKS_BACKEND must be database, rq, celery or the dotted path of a "
        f"django.tasks backend, not {_chosen!r}"
    )

TASKS_BROKER_URL = (
    os.environ.get("KLUIS_TASKS_BROKER_URL", "").strip()
    or os.environ.get("KLUIS_REDIS_URL", "").strip()
)
if TASKS_KIND in {"rq", "celery"}:
    if not TASKS_BROKER_URL:
        raise ImproperlyConfigured(
            f"KLUIS_TASKS_BACKEND={TASKS_KIND} needs a broker: set KLUIS_TASKS_BROKER_URL "
            "(or KLUIS_REDIS_URL), e.g. redis://127.0.0.1:6379/0"
        )
    if not TASKS_BROKER_URL.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(
            "KLUIS_TASKS_BROKER_URL must be a Redis URL (redis://, rediss:// or unix://)"
        )
# Seconds after which the task of a worker that stopped answering (killed, its host lost)
# runs again on another worker. Celery hands a task out again after this long even when its
# worker still runs it, so it is longer than the longest task (a backup).
TASKS_LOST_AFTER_SECONDS = _whole_number(
    "KLUIS_TASKS_LOST_AFTER", 60 if TASKS_KIND == "rq" else 1800, 3
)

TASKS = {
    "default": {
        "BACKEND": _backend_path,
        "QUEUES": ["default"],
    }
}
if TASKS_KIND == "rq":
    # django-rq's queues (kluis/operations/tasks_rq.py); no job is cut short by a timeout,
    # as none is on the database backend.
    # A broker that does not answer within 5 s counts as away (the task is then kept in the
    # database), rather than holding a request for the system's TCP timeout.
    _url = TASKS_BROKER_URL
    if "socket_connect_timeout=" not in _url:
        _url += ("&" if "?" in _url else "?") + "socket_connect_timeout=5"
    RQ_QUEUES = {"default": {"URL": _url, "DEFAULT_TIMEOUT": -1}}
    RQ = {"QUEUE_CLASS": "kluis.operations.tasks_rq.KluisQueue"}

WORKER_HEARTBEAT_SECONDS = 10
WORKER_HEARTBEAT_MAX_AGE_SECONDS = int(os.environ.get("KLUIS_WORKER_MAX_AGE", "60"))
HEALTH_MIN_FREE_DISK_BYTES = int(os.environ.get("KLUIS_MIN_FREE_DISK_BYTES", str(200 * 1024**2)))
