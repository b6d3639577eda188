"""The platform operators' log: one hash chain for what operators do that belongs to no one
company (feature flags, status incidents, restores). Appended like a company's chain, in
the caller's transaction, with the head row locked; `kluis audit verify` walks it too."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from kluis.access.actor import Actor
from kluis.audit.chain import event_hash
from kluis.audit.models import OperatorChainHead, OperatorEvent
from kluis.audit.services import AuditOutsideTransactionError

GENESIS = hashlib.sha256(b"kluis-operator-log-genesis").hexdigest()


def _content(event: OperatorEvent) -> dict[str, Any]:
    return {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_kind": event.actor_kind,
        "actor_user_id": event.actor_user_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "ip": event.ip,
        "request_id": event.request_id,
    }


def record_operator(
    actor: Actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> OperatorEvent:
    """Append one event to the operators' chain, inside the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransactionError(f"record_operator({action!r}) outside a transaction")
    head = OperatorChainHead.objects.select_for_update().filter(pk=1).first()
    if head is None:
        head, _ = OperatorChainHead.objects.get_or_create(
            pk=1, defaults={"sequence": 0, "hash": GENESIS}
        )
        head = OperatorChainHead.objects.select_for_update().get(pk=1)
    event = OperatorEvent(
        sequence=head.sequence + 1,
        occurred_at=datetime.now(UTC),
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:254],
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        object_repr=object_repr[:200],
        changes=changes or {},
        ip=actor.ip or None,
        request_id=actor.request_id[:64],
        prev_hash=head.hash,
    )
    # The hash covers the value as the database gives it back (microseconds, UTC).
    event.hash = event_hash(event.prev_hash, _content(event))
    event.save(force_insert=True)
    OperatorChainHead.objects.filter(pk=1).update(sequence=event.sequence, hash=event.hash)
    return event


def verify_platform() -> tuple[int, str]:
    """(events, problem): walk the operators' chain in order; problem is "" when intact."""
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for event in OperatorEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        count += 1
        where = f"event #{event.sequence} (id {event.pk}, {event.action})"
        if event.sequence != expected_seq:
            return count, f"event #{expected_seq} is missing (removed); next is {where}"
        if event.prev_hash != expected_prev:
            return count, f"{where} does not link to its predecessor"
        if event_hash(event.prev_hash, _content(event)) != event.hash:
            return count, f"{where} was altered (hash mismatch)"
        expected_prev, expected_seq = event.hash, expected_seq + 1
    head = OperatorChainHead.objects.filter(pk=1).first()
    if (head.sequence if head else 0) != expected_seq - 1:
        return count, (
            f"the chain ends at event #{expected_seq - 1} but #{head.sequence if head else 0}"
            " was recorded: the newest events were removed"
        )
    if head is not None and head.hash != expected_prev:
        return count, "the chain head does not match the last event"
    return count, ""
