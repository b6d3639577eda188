"""Reads only the API needs, for a page of rows at once (queries flat in the page size):
whose leave reasons and sickness details a reader may see, and the balances of many
employees. Everything here is scoped by the caller's actor; nothing writes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id, scope_of, scoped
from kluis.timeoff import calendar
from kluis.timeoff.law import ledger as law
from kluis.timeoff.law.schedule import hours_per_day, period_on
from kluis.timeoff.models import (
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    ReasonVisibility,
    Status,
    TimeoffSettings,
)
from kluis.timeoff.selectors import BalanceRow, as_of_entries, entries_of

APPROVE = "timeoff.approve"
MANAGE = "timeoff.manage"
SEE_SICKNESS = "timeoff.view_sickness"
ZERO = Decimal("0")


def reached(actor: Actor, permission: str, employee_ids: Iterable[int]) -> set[int]:
    """Which of these employees `permission` reaches for the actor (one query at most)."""
    ids = set(employee_ids)
    scope = scope_of(actor, permission)
    if scope == Scope.COMPANY:
        return ids
    if scope is None or not ids:
        return set()
    found = scoped(actor, permission, Employee.objects.filter(pk__in=ids))
    return set(found.values_list("pk", flat=True))


def reasons_everywhere(actor: Actor) -> bool | None:
    """Whether this reader sees the `reason` of every request they read (True: HR), of
    none (False: an integration's key that approves nobody), or row by row (None:
    `reasons_shown` answers). The same rule as `reasons_shown`, without the rows."""
    if Scope.COMPANY in (scope_of(actor, MANAGE), scope_of(actor, APPROVE)):
        return True
    if actor_employee_id(actor) is None and scope_of(actor, APPROVE) is None:
        return False
    return None


def reasons_shown(actor: Actor, requests: list[LeaveRequest]) -> set[int]:
    """The requests whose `reason` this reader sees (the leave type's `reason_visible_to`):
    "approvers": the employee, whoever may approve their leave, HR; "hr": the employee and
    who holds timeoff.manage or timeoff.approve company-wide (HR)."""
    if not requests:
        return set()
    own = actor_employee_id(actor)
    approves = scope_of(actor, APPROVE)
    if Scope.COMPANY in (scope_of(actor, MANAGE), approves):
        return {r.pk for r in requests}  # HR sees every reason
    if own is None and approves is None:
        return set()  # no own requests, nobody's approver (an integration's key)
    type_ids = {r.leave_type_id for r in requests}
    only_hr = set(
        LeaveType.objects.for_tenant(requests[0].tenant_id)
        .filter(pk__in=type_ids, reason_visible_to=ReasonVisibility.HR)
        .values_list("pk", flat=True)
    )
    approvers = reached(
        actor, APPROVE, {r.employee_id for r in requests if r.leave_type_id not in only_hr}
    )
    return {
        r.pk
        for r in requests
        if (own is not None and r.employee_id == own)
        or (r.leave_type_id not in only_hr and r.employee_id in approvers)
    }


def balance_rows(
    tenant_id: int,
    employee_ids: list[int],
    *,
    as_of: dt.date,
    leave_type_id: int | None = None,
) -> dict[int, list[BalanceRow]]:
    """Each employee's balances as of a day, as kluis.timeoff.selectors.balances_of gives
    one employee's, for many employees in a fixed number of queries (types, settings,
    ledger lines, pending requests, contracts). The caller has scoped the employees."""
    config = TimeoffSettings.objects.for_tenant(tenant_id).first()
    warn = config.warn_days_before_expiry if config else 90
    types = [t for t in LeaveType.objects.for_tenant(tenant_id) if t.counts_balance]
    if leave_type_id is not None:
        types = [t for t in types if t.pk == leave_type_id]
    type_ids = [t.pk for t in types]
    lines: dict[tuple[int, int], list[LedgerEntry]] = {}
    for row in LedgerEntry.objects.for_tenant(tenant_id).filter(
        employee_id__in=employee_ids, leave_type_id__in=type_ids
    ):
        lines.setdefault((row.employee_id, row.leave_type_id), []).append(row)
    pending: dict[tuple[int, int], Decimal] = {}
    for employee_id, type_id, hours in (
        LeaveRequest.objects.for_tenant(tenant_id)
        .filter(employee_id__in=employee_ids, leave_type_id__in=type_ids, status=Status.PENDING)
        .values_list("employee_id", "leave_type_id", "hours")
    ):
        key = (employee_id, type_id)
        pending[key] = pending.get(key, ZERO) + hours
    periods = calendar.work_periods(tenant_id, employee_ids)
    result: dict[int, list[BalanceRow]] = {}
    for employee_id in employee_ids:
        own = periods.get(employee_id, [])
        period = period_on(as_of, own) or (own[-1] if own else None)
        per_day = hours_per_day(period) if period is not None else Decimal("8")
        result[employee_id] = [
            BalanceRow(
                leave_type=leave_type,
                balance=law.balance(
                    as_of_entries(entries_of(lines.get((employee_id, leave_type.pk), [])), as_of),
                    as_of,
                    warn_days=warn,
                ),
                pending=pending.get((employee_id, leave_type.pk), ZERO),
                hours_per_day=per_day,
            )
            for leave_type in types
            if leave_type.is_active or (employee_id, leave_type.pk) in lines
        ]
    return result
