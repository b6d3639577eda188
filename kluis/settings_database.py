"""The database: the embedded SQLite file by default, KLUIS_DATABASE_URL for PostgreSQL;
on PostgreSQL a connection pool (KLUIS_DATABASE_POOL) and statement timeouts
(KLUIS_DATABASE_STATEMENT_TIMEOUT for web requests, KLUIS_WORKER_STATEMENT_TIMEOUT for
everything else; applied by kluis/operations/database.py)."""

from __future__ import annotations

import os
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION, env_whole_number  # noqa: F401

# --- Database -----------------------------------------------------------------------
DATABASE_URL = os.environ.get("KLUIS_DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        DATABASES["default"].setdefault("OPTIONS", {})
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(DATA_DIR / "kluis.sqlite3"),
            # Keep each server thread's connection (and its PRAGMAs) between requests, as
            # for a KLUIS_DATABASE_URL: opening one per request cost about a millisecond.
            "CONN_MAX_AGE": 60,
        }
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend with writers queued on a lock file (kluis/operations/sqlite/base.py).
    DATABASES["default"]["ENGINE"] = "kluis.operations.sqlite"
    # The test database in memory, as Django makes it for its own SQLite engine (named
    # here, so that pytest-django's per-worker suffix does not take it for a file).
    DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", ":memory:")
    # WAL + immediate transactions + a busy timeout: the web server and the worker can
    # write at the same time without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;"
            "PRAGMA synchronous=NORMAL;"
            "PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=30000;"
        ),
        **DATABASES["default"].get("OPTIONS", {}),
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


# --- PostgreSQL: connection pool and statement timeouts -------------------------------
def _pool_sizes(value: str) -> tuple[int, int] | None:
    """`min:max` (e.g. `2:16`) or `off`; anything else refuses the start."""
    value = value.strip().lower()
    if value in ("", "off"):
        return None
    low, sep, high = value.partition(":")
    if sep and low.isdigit() and high.isdigit() and 0 <= int(low) <= int(high) and int(high) >= 1:
        return int(low), int(high)
    raise ImproperlyConfigured(
        f"KLUIS_DATABASE_POOL must be `min:max` (whole numbers, max at least 1 and not below "
        f"min, e.g. 2:16) or `off`, not {value!r}"
    )


def pool_options(low: int, high: int) -> dict[str, Any]:
    """psycopg_pool's ConnectionPool arguments (Django's OPTIONS["pool"]): a connection
    given back is widened (row-level security) before anyone borrows it again."""
    from kluis.operations.database import reset_connection

    return {
        "min_size": low,
        "max_size": high,
        "name": "kluis",
        # A request waits this long for a free connection, then fails (500) instead of
        # queueing without end behind a pool that is too small.
        "timeout": 10,
        "reset": reset_connection,
    }


DATABASE_POOL = _pool_sizes(os.environ.get("KLUIS_DATABASE_POOL", "off"))
# Seconds one statement may run: in a web request (0 = no limit), and in the worker and
# the command line (backups, migrations, imports; none unless set).
DATABASE_STATEMENT_TIMEOUT = env_whole_number("KLUIS_DATABASE_STATEMENT_TIMEOUT", 30, 0, 86400)
WORKER_STATEMENT_TIMEOUT = env_whole_number("KLUIS_WORKER_STATEMENT_TIMEOUT", 0, 0, 86400)

if DATABASE_POOL is not None:
    if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "KLUIS_DATABASE_POOL is for PostgreSQL (a KLUIS_DATABASE_URL of postgres://...); "
            "unset it or set it to `off` for SQLite"
        )
    try:
        import psycopg_pool  # noqa: F401
    except ImportError:
        raise ImproperlyConfigured(
            "KLUIS_DATABASE_POOL needs psycopg's pool (the psycopg-pool package, "
            "psycopg[pool]); install it or set KLUIS_DATABASE_POOL=off"
        ) from None
    # A pooled connection goes back to the pool at the end of every request.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = pool_options(*DATABASE_POOL)
