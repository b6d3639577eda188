"""Hashing of audit events: canonical JSON of every stored field, chained by SHA-256:
hash = sha256(prev_hash + "\n" + canonical JSON of the event's content)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any


def genesis_hash(tenant_id: int) -> str:
    return hashlib.sha256(f"kluis-audit-genesis:{tenant_id}".encode()).hexdigest()


def canonical(content: dict[str, Any]) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), default=str)


def event_hash(prev_hash: str, content: dict[str, Any]) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical(content)}".encode()).hexdigest()


def around_sequence(content: dict[str, Any]) -> tuple[str, str]:
    """The canonical text of an event whose sequence is not known yet, as the text before
    and after it: `canonical(content | {"sequence": n}) == before + str(n) + after` for every
    n, so the database that assigns the sequence can hash the event (kluis.audit.services).
    The sequence and the company are the last keys in sorted order, so `after` is only
    the company's id."""
    text = canonical({**content, "sequence": 0})
    after = f',"tenant":{json.dumps(content["tenant"])}}}'
    sequence = '"sequence":0'
    if not text.endswith(sequence + after):  # only if the content's keys change
        raise ValueError("the sequence and the company must be the last keys of an event")
    return text[: -len(sequence + after)] + '"sequence":', after


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
