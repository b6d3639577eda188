"""The last-known state on disk (<DATA_DIR>/status/last.json), written by the worker at
every sample, so that the status page can still be served when the database is not.

The one piece of state kept in a host's file (docs/decisions/0026-status-page.md): each
host serving the page needs its own copy, and it is only read while the database is
unreachable. Written atomically (a temporary file, then a rename)."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings


def path() -> Path:
    return Path(settings.DATA_DIR) / "status" / "last.json"


def write(data: dict[str, Any]) -> Path:
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".last-", suffix=".json", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, default=_default, separators=(",", ":"))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read() -> dict[str, Any] | None:
    """The last state written, or None when there is none (or it cannot be read)."""
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")
