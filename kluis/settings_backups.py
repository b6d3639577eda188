"""What an operator sets about backups, from KLUIS_* environment variables."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from kluis.settings_env import PRODUCTION

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
