"""One page, one audit event for the sensitive values it opened.

A page that reads several kinds of sealed values of a person (identity, bank, wages, wage
components) goes through several selectors, and each one alone would record its own
`employee.sensitive_viewed`. Inside `one_read_event()` those reads are gathered and recorded
once when the block ends: the union of the fields, per actor and company, for the same
employees. Outside a block every read records at once, as before."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.tenancy.models import Tenant


@dataclass
class _Read:
    actor: Actor
    tenant: Tenant
    fields: set[str] = field(default_factory=set)
    employees: dict[int, str] = field(default_factory=dict)


_batch: contextvars.ContextVar[list[_Read] | None] = contextvars.ContextVar(
    "kluis_people_read_batch", default=None
)


def gather(
    actor: Actor, tenant: Tenant, fields: set[str], employees: list[tuple[int, str]]
) -> bool:
    """Keep a read for the block's one event; False when no block is open."""
    batch = _batch.get()
    if batch is None:
        return False
    for read in batch:
        if read.actor is actor and read.tenant.pk == tenant.pk:
            break
    else:
        read = _Read(actor, tenant)
        batch.append(read)
    read.fields |= fields
    read.employees.update(employees)
    return True


@contextmanager
def one_read_event() -> Iterator[None]:
    """Record the sensitive reads of the block as one event (per actor and company)."""
    from kluis.people.selectors import audit_opened

    batch: list[_Read] = []
    token = _batch.set(batch)
    try:
        yield
    finally:
        _batch.reset(token)
    for read in batch:
        audit_opened(read.actor, read.tenant, read.fields, list(read.employees.items()))
