"""Every write to the calendar (one module per concept): leave types and settings
(types), requests (requests), approvals (approvals), sick periods (absences), month locks
and closing days (locks), and the balance ledger (ledger, balances)."""

from kluis.timeoff.services._kit import ConflictError, LockedMonthError
from kluis.timeoff.services.absences import (
    delete_absence,
    end_absence,
    register_absence,
    update_absence,
)
from kluis.timeoff.services.approvals import approve_request, may_decide, reject_request
from kluis.timeoff.services.locks import (
    add_closing_day,
    lock_month,
    remove_closing_day,
    unlock_month,
)
from kluis.timeoff.services.requests import cancel_request, change_request, request_leave
from kluis.timeoff.services.types import (
    LeaveTypeInUseError,
    change_settings,
    create_leave_type,
    delete_leave_type,
    install_defaults,
    update_leave_type,
)

__all__ = [
    "ConflictError",
    "LeaveTypeInUseError",
    "LockedMonthError",
    "add_closing_day",
    "approve_request",
    "cancel_request",
    "change_request",
    "change_settings",
    "create_leave_type",
    "delete_absence",
    "delete_leave_type",
    "end_absence",
    "install_defaults",
    "lock_month",
    "may_decide",
    "register_absence",
    "reject_request",
    "remove_closing_day",
    "request_leave",
    "unlock_month",
    "update_absence",
    "update_leave_type",
]
