"""Hashing of audit events: canonical JSON of every stored field, chained by SHA-256."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def genesis_hash(tenant_id: int) -> str:
    return hashlib.sha256(f"kluis-audit-genesis:{tenant_id}".encode()).hexdigest()


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def content_of(
    *,
    tenant_id: int,
    sequence: int,
    occurred_at: datetime,
    actor_kind: str,
    actor_user_id: int | None,
    actor_label: str,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: Any,
    ip: str | None,
    request_id: str,
) -> dict[str, Any]:
    return {
        "tenant": tenant_id,
        "sequence": sequence,
        "occurred_at": occurred_at.isoformat(timespec="microseconds"),
        "actor_kind": actor_kind,
        "actor_user_id": actor_user_id,
        "actor_label": actor_label,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "changes": changes,
        "ip": ip,
        "request_id": request_id,
    }
