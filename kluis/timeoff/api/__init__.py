"""The calendar's API resources, registered with kluis.api (kluis/api/registry.py): leave
types, leave requests (with their approve, reject and cancel actions and history),
absences (sick periods), balances and their lines, HR's balance corrections, holiday
certificates and statutory leave marked not takeable, public holidays, closing days and
month locks. Scopes: timeoff:read, timeoff:write, absence:read (sickness details)."""

from kluis.api.declared import declare
from kluis.api.exceptions import answer_as_stale
from kluis.api.registry import register_route
from kluis.timeoff.api.absences import ABSENCES
from kluis.timeoff.api.balance_admin import (
    BALANCE_CORRECTIONS,
    HOLIDAY_CERTIFICATES,
    NotTakeableViewSet,
)
from kluis.timeoff.api.balances import BalanceViewSet
from kluis.timeoff.api.closing import CLOSING_DAYS, PublicHolidayViewSet
from kluis.timeoff.api.leave_requests import LEAVE_REQUESTS
from kluis.timeoff.api.leave_types import LEAVE_TYPES
from kluis.timeoff.api.month_locks import MONTH_LOCKS
from kluis.timeoff.services._kit import StaleEntryError

# An entry changed by someone else since the client read it: 412.
answer_as_stale(StaleEntryError)

declare(LEAVE_TYPES)
declare(LEAVE_REQUESTS)
declare(ABSENCES)
declare(CLOSING_DAYS)
declare(MONTH_LOCKS)
declare(BALANCE_CORRECTIONS)
declare(HOLIDAY_CERTIFICATES)
register_route("balances/", BalanceViewSet, name="balances", actions={"get": "list"})
register_route(
    "balances/<id:employee_pk>/lines/",
    BalanceViewSet,
    name="balance-lines",
    actions={"get": "lines"},
)
register_route(
    "balances/<id:employee_pk>/not-takeable/",
    NotTakeableViewSet,
    name="balance-not-takeable",
    actions={"post": "create"},
)
register_route(
    "public-holidays/", PublicHolidayViewSet, name="public-holidays", actions={"get": "index"}
)
