"""What an operator sets about backups, from KLUIS_* environment variables: the archive's
key and `kluis backup`'s directory (docs/decisions/0022-backups.md); scheduled backups and
where they go (docs/operations.md, "Scheduled backups and where they go"; the second part
of docs/decisions/0022-backups.md)."""

from __future__ import annotations

import importlib
import os
import zoneinfo
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import ENV, PRODUCTION, env_bool, env_list, env_whole_number

__all__ = [
    "BACKUP_DIR",
    "BACKUP_KEY",
    "BACKUP_KEY_AUTOCREATE",
    "BACKUP_KEY_FILE",
    "BACKUP_KEY_FILE_NAMED",
    "BACKUP_PG_DUMP",
    "BACKUP_RECIPIENTS",
]

# kluis/settings.py imports this module at its end: its DATA_DIR is set by then.
_DATA_DIR = Path(importlib.import_module("kluis.settings").DATA_DIR)

# The backup key (an age identity), apart from the master keys: KLUIS_BACKUP_KEY, else the
# file KLUIS_BACKUP_KEY_FILE names, else <DATA_DIR>/backup_key, which development and test
# make on first use; production refuses to back up or restore without one.
BACKUP_KEY = os.environ.get("KLUIS_BACKUP_KEY", "").strip()
BACKUP_KEY_FILE_NAMED = bool(os.environ.get("KLUIS_BACKUP_KEY_FILE", "").strip())
BACKUP_KEY_FILE = (
    Path(os.environ["KLUIS_BACKUP_KEY_FILE"].strip()).expanduser().resolve()
    if BACKUP_KEY_FILE_NAMED
    else _DATA_DIR / "backup_key"
)
BACKUP_KEY_AUTOCREATE = not PRODUCTION
# Extra age public keys (age1..., comma-separated) every archive is also encrypted for.
BACKUP_RECIPIENTS = os.environ.get("KLUIS_BACKUP_RECIPIENTS", "").strip()
# Where `kluis backup` writes when no --output is given.
BACKUP_DIR = Path(
    os.environ.get("KLUIS_BACKUP_DIR", "").strip() or _DATA_DIR / "backups"
).expanduser()
# pg_dump to use (default: the one of the server's major version under
# /usr/lib/postgresql/<major>/bin, else the PATH's).
BACKUP_PG_DUMP = os.environ.get("KLUIS_BACKUP_PG_DUMP", "").strip()

# --- Scheduled backups and where they go (kluis/backups/services.py) ---------------------
__all__ += [
    "BACKUP_DESTINATIONS",
    "BACKUP_ENABLED",
    "BACKUP_HOUR",
    "BACKUP_MAX_AGE_HOURS",
    "BACKUP_S3_ACCESS_KEY",
    "BACKUP_S3_ADDRESSING",
    "BACKUP_S3_BUCKET",
    "BACKUP_S3_ENDPOINT",
    "BACKUP_S3_PREFIX",
    "BACKUP_S3_REGION",
    "BACKUP_S3_SECRET_KEY",
    "BACKUP_TIMEZONE",
    "OPERATOR_EMAILS",
]

# The worker takes a backup every day at BACKUP_HOUR (0-23) in BACKUP_TIMEZONE; off in the
# test suite unless a test turns it on.
BACKUP_ENABLED = env_bool("KLUIS_BACKUP_ENABLED", ENV != "test")
BACKUP_HOUR = env_whole_number("KLUIS_BACKUP_HOUR", 2, 0, 23)
BACKUP_TIMEZONE = os.environ.get("KLUIS_BACKUP_TIMEZONE", "UTC").strip() or "UTC"
try:
    zoneinfo.ZoneInfo(BACKUP_TIMEZONE)
except (zoneinfo.ZoneInfoNotFoundError, ValueError):
    raise ImproperlyConfigured(
        f"KLUIS_BACKUP_TIMEZONE must be a time zone such as UTC or Europe/Brussels, "
        f"not {BACKUP_TIMEZONE!r}"
    ) from None
# /health/ready's backups component is degraded without a good backup this many hours old.
BACKUP_MAX_AGE_HOURS = env_whole_number("KLUIS_BACKUP_MAX_AGE_HOURS", 26, 1)

# The local destination is BACKUP_DIR (above, KLUIS_BACKUP_DIR, default <DATA_DIR>/backups).

# S3-compatible storage (AWS S3, MinIO, Ceph, Scaleway, ...). Credentials from
# KLUIS_BACKUP_S3_ACCESS_KEY/_SECRET_KEY, else boto3's own chain (AWS_ACCESS_KEY_ID, ...).
BACKUP_S3_BUCKET = os.environ.get("KLUIS_BACKUP_S3_BUCKET", "").strip()
BACKUP_S3_ENDPOINT = os.environ.get("KLUIS_BACKUP_S3_ENDPOINT", "").strip()
BACKUP_S3_REGION = os.environ.get("KLUIS_BACKUP_S3_REGION", "").strip()
BACKUP_S3_PREFIX = os.environ.get("KLUIS_BACKUP_S3_PREFIX", "kluis/").strip().lstrip("/")
BACKUP_S3_ACCESS_KEY = os.environ.get("KLUIS_BACKUP_S3_ACCESS_KEY", "").strip()
BACKUP_S3_SECRET_KEY = os.environ.get("KLUIS_BACKUP_S3_SECRET_KEY", "").strip()
# Path-style addressing suits most S3-compatible servers; AWS itself takes either.
BACKUP_S3_ADDRESSING = (
    os.environ.get("KLUIS_BACKUP_S3_ADDRESSING", "path" if BACKUP_S3_ENDPOINT else "auto")
    .strip()
    .lower()
)
if BACKUP_S3_ADDRESSING not in {"auto", "path", "virtual"}:
    raise ImproperlyConfigured("KLUIS_BACKUP_S3_ADDRESSING must be auto, path or virtual")
if bool(BACKUP_S3_ACCESS_KEY) != bool(BACKUP_S3_SECRET_KEY):
    raise ImproperlyConfigured(
        "KLUIS_BACKUP_S3_ACCESS_KEY and KLUIS_BACKUP_S3_SECRET_KEY go together: set both or neither"
    )
if BACKUP_S3_ENDPOINT and not BACKUP_S3_ENDPOINT.startswith(("https://", "http://")):
    raise ImproperlyConfigured(
        f"KLUIS_BACKUP_S3_ENDPOINT must be a URL such as https://s3.example.com, "
        f"not {BACKUP_S3_ENDPOINT!r}"
    )

# Where each backup goes: every destination named (both is redundancy). By default the local
# directory, and S3 too when a bucket is set.
BACKUP_DESTINATIONS = env_list(
    "KLUIS_BACKUP_DESTINATIONS", "local,s3" if BACKUP_S3_BUCKET else "local"
)
if not BACKUP_DESTINATIONS or set(BACKUP_DESTINATIONS) - {"local", "s3"}:
    raise ImproperlyConfigured(
        "KLUIS_BACKUP_DESTINATIONS must name local, s3 or both (comma-separated)"
    )
if "s3" in BACKUP_DESTINATIONS and not BACKUP_S3_BUCKET:
    raise ImproperlyConfigured("KLUIS_BACKUP_DESTINATIONS names s3: set KLUIS_BACKUP_S3_BUCKET")

# Who is e-mailed when a backup or its verification fails (comma-separated addresses).
OPERATOR_EMAILS = env_list("KLUIS_OPERATOR_EMAILS", "")
