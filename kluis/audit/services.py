"""Writing and verifying the audit log. `record()` must run inside the change's transaction."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.chain import around_sequence, content_of, event_hash, genesis_hash
from kluis.audit.models import AuditChainHead, AuditEvent
from kluis.tenancy.models import Tenant

MASK = "••••••"


class AuditOutsideTransactionError(RuntimeError):
    """An audit event written outside a transaction could outlive a rolled-back change."""


def diff(
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    sensitive: set[str] | frozenset[str] = frozenset(),
) -> dict[str, dict[str, Any]]:
    """Field-level changes; sensitive fields say that they changed, never what to."""
    changes: dict[str, dict[str, Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in sensitive:
            changes[key] = {"old": MASK, "new": MASK}
        else:
            changes[key] = {"old": old, "new": new}
    return changes


def record(
    actor: Actor,
    action: str,
    *,
    tenant: Tenant,
    target: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
    alone: bool = False,
) -> AuditEvent:
    """Append one event to the tenant's chain, in the caller's transaction; `alone` for an
    event that records no change (a read): then it may stand outside any transaction, the
    append being one statement."""
    if not alone and not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(f"audit.record({action!r}) outside a transaction")
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
    occurred_at = datetime.now(UTC)
    if actor.approval is not None:  # applied under the two-person rule: both names
        changes = {
            **(changes or {}),
            "approval": {
                "request": actor.approval.request_id,
                "requested_by": actor.approval.requested_by,
                "approved_by": actor.approval.approved_by,
            },
        }
    fields: dict[str, Any] = {
        "actor_kind": actor.kind,
        "actor_user_id": actor.user_id,
        "actor_label": actor.label[:254],
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "object_repr": object_repr[:200],
        "changes": changes or {},
        "ip": actor.ip or None,
        "request_id": actor.request_id[:64],
    }
    event = AuditEvent(tenant=tenant, occurred_at=occurred_at, **fields)
    before, after = around_sequence(
        content_of(tenant_id=tenant.pk, sequence=0, occurred_at=occurred_at, **fields)
    )
    appended = _append(event, before, after)
    if appended is None:  # the company's first event: its chain starts here
        AuditChainHead.objects.get_or_create(
            tenant=tenant, defaults={"sequence": 0, "hash": genesis_hash(tenant.pk)}
        )
        appended = _append(event, before, after)
        assert appended is not None
    event.pk, event.sequence, event.prev_hash, event.hash = appended
    event._state.adding = False
    event._state.db = transaction.get_connection().alias
    return event


# Appending is on the path of every change and every audited read, so it is one statement,
# written once per database from the models' metadata and run through Django's cursor
# (counted, logged and narrowed like any query): the event is inserted with the sequence
# after the chain head's and its hash computed by the database from the head's hash and the
# event's canonical text (kluis.audit.chain.around_sequence), the head locked while it is
# read (PostgreSQL; SQLite writes one statement at a time); the database's trigger
# (migration 0004) moves the head to the new event.

_EVENT_FIELDS = [
    f
    for f in AuditEvent._meta.concrete_fields
    if f.name not in ("id", "tenant", "sequence", "prev_hash", "hash")
]


@functools.cache
def _append_sql(vendor: str) -> str:
    connection = transaction.get_connection()
    quote = connection.ops.quote_name

    def value(field: models.Field[Any, Any]) -> str:
        if vendor == "postgresql":  # typed: the SELECT list does not take the column's type
            return f"CAST(%s AS {field.cast_db_type(connection)})"
        return "%s"

    text = f"h.{quote('hash')} || %s || CAST(h.{quote('sequence')} + 1 AS TEXT) || %s"
    digest = (
        f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"
        if vendor == "postgresql"
        else f"SHA256({text})"  # Django registers SHA256() on its SQLite connections
    )
    columns = ["tenant_id", "sequence", *(f.column for f in _EVENT_FIELDS), "prev_hash", "hash"]
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} ({', '.join(map(quote, columns))})"  # noqa: S608 (names from the model)
        f" SELECT h.{quote('tenant_id')}, h.{quote('sequence')} + 1,"
        f" {', '.join(value(f) for f in _EVENT_FIELDS)}, h.{quote('hash')}, {digest}"
        f" FROM {quote(AuditChainHead._meta.db_table)} h WHERE h.{quote('tenant_id')} = %s"
        f"{lock} RETURNING {quote('id')}, {quote('sequence')}, {quote('prev_hash')},"
        f" {quote('hash')}"
    )


def _append(event: AuditEvent, before: str, after: str) -> tuple[int, int, str, str] | None:
    """Insert `event` after its company's chain head: (id, sequence, prev_hash, hash), or
    None when the company has no chain head yet."""
    connection = transaction.get_connection()
    values = [f.get_db_prep_save(getattr(event, f.attname), connection) for f in _EVENT_FIELDS]
    with connection.cursor() as cursor:
        cursor.execute(
            _append_sql(connection.vendor), [*values, "\n" + before, after, event.tenant_id]
        )
        row = cursor.fetchone()
    return None if row is None else (int(row[0]), int(row[1]), str(row[2]), str(row[3]))


@dataclass
class ChainReport:
    tenant: Tenant
    events: int
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def hashed_content(event: AuditEvent) -> dict[str, Any]:
    """What an event's hash covers, read back from its stored row."""
    return content_of(
        tenant_id=event.tenant_id,
        sequence=event.sequence,
        occurred_at=event.occurred_at.astimezone(UTC),
        actor_kind=event.actor_kind,
        actor_user_id=event.actor_user_id,
        actor_label=event.actor_label,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        object_repr=event.object_repr,
        changes=event.changes,
        ip=event.ip,
        request_id=event.request_id,
    )


def verify_tenant(tenant: Tenant) -> ChainReport:
    """Walk a company's chain in order and name the first broken link."""
    expected_prev = genesis_hash(tenant.pk)
    expected_seq = 1
    count = 0
    rows = AuditEvent.objects.for_tenant(tenant).order_by("sequence").iterator(chunk_size=2000)
    for event in rows:
        count += 1
        where = f"event #{event.sequence} (id {event.pk}, {event.action})"
        if event.sequence != expected_seq:
            return ChainReport(
                tenant, count, f"event #{expected_seq} is missing (removed); next is {where}"
            )
        if event.prev_hash != expected_prev:
            return ChainReport(tenant, count, f"{where} does not link to its predecessor")
        if event_hash(event.prev_hash, hashed_content(event)) != event.hash:
            return ChainReport(tenant, count, f"{where} was altered (hash mismatch)")
        expected_prev = event.hash
        expected_seq += 1
    head = AuditChainHead.objects.for_tenant(tenant).first()
    head_seq = head.sequence if head else 0
    if head_seq != expected_seq - 1:
        return ChainReport(
            tenant,
            count,
            f"the chain ends at event #{expected_seq - 1} but the company recorded "
            f"#{head_seq}: the newest events were removed",
        )
    if head is not None and head.hash != expected_prev:
        return ChainReport(tenant, count, "the chain head does not match the last event")
    return ChainReport(tenant, count)


def verify_all(tenants: models.QuerySet[Tenant] | None = None) -> list[ChainReport]:
    return [verify_tenant(t) for t in (tenants if tenants is not None else Tenant.objects.all())]


def record_export(
    actor: Actor, tenant: Tenant, filters: dict[str, Any], *, export_format: str = ""
) -> AuditEvent:
    """Reading the whole log out is itself an event: who exported what, with which filter."""
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, "audit.export")
    changes: dict[str, Any] = {"filters": dict(filters)}
    if export_format:
        changes["format"] = export_format
    with transaction.atomic():
        return record(
            actor,
            "audit.exported",
            tenant=tenant,
            object_type="audit.auditevent",
            object_repr="audit log export",
            changes=changes,
        )
