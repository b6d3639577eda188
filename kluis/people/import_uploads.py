"""Keeping an uploaded import file between its preview and its confirmation.

The file is kept on the server only, sealed by the vault for the company and the
uploading person (the sealing purpose names the user), in a file whose name derives from
a random token that lives in that person's session.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

from kluis.crypto import vault

UPLOAD_TTL_SECONDS = 30 * 60
SESSION_KEY = "kluis_people_import"


def _upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def _path(token: str) -> Path:
    return _upload_dir() / (hashlib.sha256(token.encode("ascii")).hexdigest() + ".sealed")


def _purpose(user_id: int) -> str:
    return f"people.import.upload.{user_id}"


def stash_upload(
    session: SessionBase, *, tenant_id: int, user_id: int, text: str, name: str, rows: int
) -> str:
    """Keep the uploaded text sealed on the server; the returned token names it and is
    only good in this session, for this person and company, for a short while."""
    discard_upload(session)
    purge_stale_uploads()
    token = secrets.token_urlsafe(32)
    sealed = vault.seal(tenant_id, _purpose(user_id), text) or ""
    directory = _upload_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(_path(token), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(sealed)
    session[SESSION_KEY] = {
        "token": token,
        "tenant": tenant_id,
        "user": user_id,
        "created": time.time(),
        "name": name[:100],
        "rows": rows,
    }
    return token


def pending_upload(session: SessionBase, *, tenant_id: int, user_id: int) -> dict[str, Any] | None:
    entry = session.get(SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    if entry.get("tenant") != tenant_id or entry.get("user") != user_id:
        return None
    if time.time() - float(entry.get("created", 0)) > UPLOAD_TTL_SECONDS:
        discard_upload(session)
        return None
    return entry


def load_upload(
    session: SessionBase, *, tenant_id: int, user_id: int, token: str
) -> tuple[str, str] | None:
    """(text, file name) of this person's pending upload, if `token` names it."""
    entry = pending_upload(session, tenant_id=tenant_id, user_id=user_id)
    if entry is None or not token or not hmac.compare_digest(str(entry["token"]), token):
        return None
    try:
        sealed = _path(token).read_text(encoding="ascii")
        text = vault.unseal(tenant_id, _purpose(user_id), sealed)
    except (OSError, ValueError):
        return None
    return (text or ""), str(entry.get("name", ""))


def discard_upload(session: SessionBase) -> None:
    entry = session.pop(SESSION_KEY, None)
    if isinstance(entry, dict) and isinstance(entry.get("token"), str):
        _path(entry["token"]).unlink(missing_ok=True)


def purge_stale_uploads() -> None:
    """Remove uploads nobody confirmed in time (their sessions may be long gone)."""
    directory = _upload_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - UPLOAD_TTL_SECONDS
    for path in directory.glob("*.sealed"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
        except OSError:
            continue
