"""What a leave request would take, before it is made: the request form's live answer.

It runs the same checks as `services.request_leave` (the values, the month lock, the
schedule, overlaps, the balance), so the preview refuses exactly what the request would
refuse, and it writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.people.permissions import authorize_on
from kluis.timeoff.models import LeaveType, Unit
from kluis.timeoff.services import ledger
from kluis.timeoff.services import requests as checks
from kluis.timeoff.services._kit import check_unlocked


@dataclass(frozen=True)
class Preview:
    """The request's working days and what it takes, in the leave type's unit; and the
    balance left after it (None for a type that keeps no balance)."""

    leave_type: LeaveType
    working_days: int
    hours: Decimal
    amount: Decimal  # days or hours, by the type's unit
    left_after: Decimal | None

    @property
    def in_days(self) -> bool:
        return self.leave_type.unit == Unit.DAYS


def preview_request(
    actor: Actor, employee: Employee, data: Mapping[str, Any], *, besides: int | None = None
) -> Preview:
    """What requesting `data` for `employee` takes (besides: a request being changed);
    ValidationError or PermissionDenied saying why it would be refused."""
    authorize_on(actor, checks.REQUEST, employee)
    clean = checks.clean_request(employee, data)
    check_unlocked(employee.tenant_id, clean["start_date"], clean["end_date"], "start_date")
    days = checks.request_days(employee, clean)
    checks.check_overlap(employee, days, besides)
    total = sum((hours for hours, _part in days.values()), Decimal(0))
    leave_type: LeaveType = clean["leave_type"]
    checks.check_balance(employee, leave_type, total, besides=besides)
    start: dt.date = clean["start_date"]

    def shown(hours: Decimal) -> Decimal:
        return checks.in_days(hours, employee, start) if leave_type.unit == Unit.DAYS else hours

    left = None
    if leave_type.counts_balance:
        left = (
            ledger.remaining(employee.tenant_id, employee.pk, leave_type.pk)
            - ledger.pending(employee.tenant_id, employee.pk, leave_type.pk, besides=besides)
            - total
        )
    return Preview(
        leave_type=leave_type,
        working_days=len(days),
        hours=total,
        amount=shown(total),
        left_after=shown(left) if left is not None else None,
    )
