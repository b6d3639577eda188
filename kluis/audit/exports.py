"""Streaming CSV and JSON exports of the audit log.

Rows are read with `.iterator()` and written as they come, so a large log never sits in
memory. CSV cells that a spreadsheet would run as a formula are defused with a quote.
Each row shows the exporter what their permissions reveal (kluis.access.visibility); the
hashes are those of the stored rows, which `kluis audit verify` checks.
"""

from __future__ import annotations

import csv
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
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def safe_cell(value: Any) -> str:
    """A CSV cell that no spreadsheet will evaluate (CSV/formula injection)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    """A file-like object whose write() hands the line back, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def csv_lines(actor: Actor, events: Iterable[AuditEvent]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(COLUMNS)
    for event in events:
        row = row_of(actor, event)
        yield writer.writerow([safe_cell(row[c]) for c in COLUMNS])


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
    response["Content-Disposition"] = f'attachment; filename="{filename(tenant, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response
