"""Streaming CSV and JSON exports of the audit log.

Rows are read with `.iterator()` and written as they come, so a large log never sits in
memory. CSV cells that a spreadsheet would run as a formula are defused with a quote.
Each row shows the exporter what their permissions reveal (kluis.access.visibility); the
hashes are those of the stored rows, which `kluis audit verify` checks.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import StreamingHttpResponse
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.audit.selectors import shown_changes, shown_label
from kluis.operations import spreadsheets
from kluis.operations.spreadsheets import safe_cell
from kluis.tenancy.models import Tenant

CHUNK_SIZE = 500
COLUMNS = [
    "sequence",
    "occurred_at",
    "actor_kind",
    "actor_user_id",
    "actor_label",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
    "prev_hash",
    "hash",
]


def row_of(actor: Actor, event: AuditEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_kind": event.actor_kind,
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": shown_label(actor, event),
        "changes": shown_changes(actor, event),
        "ip": event.ip,
        "request_id": event.request_id,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
    }


def csv_lines(actor: Actor, events: Iterable[AuditEvent]) -> Iterator[str]:
    rows = (row_of(actor, event) for event in events)
    return spreadsheets.csv_lines(
        COLUMNS, ([safe_cell(row[c]) for c in COLUMNS] for row in rows), bom=False
    )


def json_chunks(actor: Actor, events: Iterable[AuditEvent]) -> Iterator[str]:
    """One JSON array, written object by object."""
    yield "["
    first = True
    for event in events:
        prefix = "\n" if first else ",\n"
        first = False
        yield prefix + json.dumps(row_of(actor, event), ensure_ascii=False, cls=DjangoJSONEncoder)
    yield "\n]\n"


def filename(tenant: Tenant, extension: str) -> str:
    return f"kluis-audit-{tenant.slug}-{timezone.localdate().isoformat()}.{extension}"


def export_response(
    actor: Actor, tenant: Tenant, events: QuerySet[AuditEvent], fmt: str
) -> StreamingHttpResponse:
    rows = events.iterator(chunk_size=CHUNK_SIZE)
    if fmt == "csv":
        response = StreamingHttpResponse(
            csv_lines(actor, rows), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "json":
        response = StreamingHttpResponse(
            json_chunks(actor, rows), content_type="application/json; charset=utf-8"
        )
    else:
        raise ValueError(f"Unknown export format {fmt!r}")
    spreadsheets.as_download(response, filename(tenant, fmt))
    return response
