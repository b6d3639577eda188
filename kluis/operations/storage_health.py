"""The `storage` component of /health/ready: can this node reach where stored files
(photos, documents, backups) lie? On S3-compatible storage a HEAD of a probe name (a
missing object answers 404: reachable, keys accepted); on the file system, whether the
directory can be written. Not critical: without its files a node still serves everything
else (readiness stays 200 and names `storage` under `degraded`).

The answer is kept for a few seconds in the process, so that a flood of requests to the
public /health/ready cannot turn into a flood of requests to the bucket; being public, it
names no bucket and no directory."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Any

from django.core.files.storage import FileSystemStorage

from kluis.operations.storage import raw_storage

PROBE = ".kluis-ready-probe"
KEPT_SECONDS = 5.0
_lock = threading.Lock()
_last: tuple[float, dict[str, Any]] | None = None


def check_storage() -> dict[str, Any]:
    global _last
    with _lock:
        now = time.monotonic()
        if _last is not None and now - _last[0] < KEPT_SECONDS:
            return dict(_last[1])
        result = probe()
        _last = (time.monotonic(), result)
        return dict(result)


def forget() -> None:
    """Drop the kept answer (tests, and a storage configured anew)."""
    global _last
    with _lock:
        _last = None


def probe() -> dict[str, Any]:
    raw = raw_storage()
    if isinstance(raw, FileSystemStorage):
        location = Path(raw.location)
        # Missing is fine: the first file saved makes it (inside the data directory).
        existing = location if location.exists() else location.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            return {"ok": False, "detail": "not writable", "kind": "file system"}
        return {"ok": True, "kind": "file system"}
    started = time.perf_counter()
    try:
        raw.exists(PROBE)
    except Exception as error:  # botocore's and the network's errors alike
        return {"ok": False, "detail": f"unreachable: {type(error).__name__}", "kind": "s3"}
    took = round((time.perf_counter() - started) * 1000, 2)
    return {"ok": True, "kind": "s3", "ms": took}


def register() -> None:
    """From the operations app's ready()."""
    from kluis.operations import health

    health.register_check("storage", check_storage, critical=False)
