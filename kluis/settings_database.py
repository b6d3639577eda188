"""The database: the embedded SQLite file by default, KLUIS_DATABASE_URL for PostgreSQL."""

from __future__ import annotations

import os

import dj_database_url

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401

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
