"""PUT and DELETE for the `api` fixture's client (tests/api_client.py's Api offers GET, POST,
PATCH), and the audit and domain events a write leaves behind."""

from __future__ import annotations

import json
from typing import Any

from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from tests.api_client import Api


def _headers(client: Api, extra: dict[str, str] | None) -> dict[str, str]:
    return {"authorization": f"Bearer {client.key}", **(extra or {})}


def put(client: Api, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
    return client.client.put(
        url, json.dumps(body), content_type="application/json", headers=_headers(client, headers)
    )


def delete(client: Api, url: str, headers: dict[str, str] | None = None) -> Any:
    return client.client.delete(url, headers=_headers(client, headers))


def audited(action: str, pk: int) -> AuditEvent:
    return AuditEvent.objects.get(action=action, object_id=str(pk))


def emitted(name: str, pk: int) -> bool:
    return DomainEvent.objects.filter(name=name, object_id=str(pk)).exists()
