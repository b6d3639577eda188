"""The calendar's webhook event cases (kluis/timeoff/events.py): one service call per
event type in Demo BV, returning the id of the object the event is about. Merged into
event_cases.CASES."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from kluis.timeoff import services
from kluis.timeoff.calendar import settings_of
from kluis.timeoff.models import Absence, ClosingDay, LeaveRequest, LeaveType, MonthLock, Rule
from tests.conftest import actor_for
from tests.timeoff.conftest import next_weekday

HR = "hr@demo-bv.test"
WORKER = "member1@demo-bv.test"


def _worker(tenant: Tenant) -> Employee:
    return Employee.objects.for_tenant(tenant).get(work_email=WORKER)


def _probe_type(tenant: Tenant) -> LeaveType:
    """A leave type without a balance that a manager approves: any request of it fits."""
    found = LeaveType.objects.for_tenant(tenant).filter(code="probe").first()
    if found is not None:
        return found
    return services.create_leave_type(
        actor_for(HR),
        tenant,
        {"code": "probe", "name": "Probe leave", "rule": Rule.NONE, "approval": "manager"},
    )


def add_type(tenant: Tenant) -> int:
    return _probe_type(tenant).pk


def change_type(tenant: Tenant) -> int:
    kind = _probe_type(tenant)
    return services.update_leave_type(actor_for(HR), kind, {"name": "Probe leave 2"}).pk


def remove_type(tenant: Tenant) -> int:
    kind = _probe_type(tenant)
    services.delete_leave_type(actor_for(HR), kind)
    return kind.pk


def _request(tenant: Tenant, weeks: int = 5) -> LeaveRequest:
    day = next_weekday(timezone.localdate() + dt.timedelta(weeks=weeks), 1, tenant=tenant)
    return services.request_leave(
        actor_for(HR),
        _worker(tenant),
        {"leave_type": _probe_type(tenant), "start_date": day, "end_date": day},
    )


def ask(tenant: Tenant) -> int:
    return _request(tenant).pk


def change_request(tenant: Tenant) -> int:
    request = _request(tenant)
    later = request.end_date + dt.timedelta(days=1)
    services.change_request(actor_for(HR), request, {"end_date": later})
    return request.pk


def approve(tenant: Tenant) -> int:
    return services.approve_request(actor_for(HR), _request(tenant)).pk


def reject(tenant: Tenant) -> int:
    return services.reject_request(actor_for(HR), _request(tenant), comment="No").pk


def cancel(tenant: Tenant) -> int:
    return services.cancel_request(actor_for(HR), _request(tenant), reason="Plans changed").pk


def _sick(tenant: Tenant, *, closed: bool = True) -> Absence:
    day = next_weekday(timezone.localdate() - dt.timedelta(days=21), 0)
    end = day + dt.timedelta(days=1) if closed else None
    return services.register_absence(
        actor_for(HR), _worker(tenant), {"start_date": day, "end_date": end, "reason": "Flu"}
    )


def fall_ill(tenant: Tenant) -> int:
    return _sick(tenant, closed=False).pk


def extend_absence(tenant: Tenant) -> int:
    absence = _sick(tenant)
    assert absence.end_date is not None
    end = absence.end_date + dt.timedelta(days=1)
    return services.update_absence(actor_for(HR), absence, {"end_date": end}).pk


def end_absence(tenant: Tenant) -> int:
    absence = _sick(tenant, closed=False)
    end = absence.start_date + dt.timedelta(days=2)
    return services.end_absence(actor_for(HR), absence, end).pk


def remove_absence(tenant: Tenant) -> int:
    absence = _sick(tenant)
    services.delete_absence(actor_for(HR), absence)
    return absence.pk


def _lock(tenant: Tenant) -> MonthLock:
    month = f"{timezone.localdate().year - 1}-03"
    return services.lock_month(actor_for(HR), tenant, {"month": month, "reason": "Payroll"})


def lock(tenant: Tenant) -> int:
    return _lock(tenant).pk


def unlock(tenant: Tenant) -> int:
    return services.unlock_month(actor_for(HR), _lock(tenant), reason="A late sick note").pk


def _closing(tenant: Tenant) -> ClosingDay:
    day = next_weekday(timezone.localdate() + dt.timedelta(days=90), 4, tenant=tenant)
    return services.add_closing_day(actor_for(HR), tenant, {"date": day, "name": "Bridge"})


def add_closing(tenant: Tenant) -> int:
    return _closing(tenant).pk


def remove_closing(tenant: Tenant) -> int:
    closing = _closing(tenant)
    services.remove_closing_day(actor_for(HR), closing)
    return closing.pk


def correct(tenant: Tenant) -> int:
    """HR corrects a balance (kluis/timeoff/services/balances.py, the balances work)."""
    from kluis.timeoff.services.balances import correct_balance

    holiday = LeaveType.objects.for_tenant(tenant).get(code="legal-holiday")
    line = correct_balance(
        actor_for(HR), _worker(tenant), holiday, {"hours": "7.6", "note": "Probe"}
    )
    return line.pk


def certify(tenant: Tenant) -> int:
    """HR enters a joiner's holiday certificate (Belgian companies)."""
    from kluis.timeoff.services.balances import record_certificate

    certificate = record_certificate(
        actor_for(HR), _worker(tenant), timezone.localdate().year - 1, "5", "Vorige BV"
    )
    return certificate.pk


def change_calendar_settings(tenant: Tenant) -> int:
    """The expiry warning moves (the settings row is made on first use)."""
    current = settings_of(tenant).warn_days_before_expiry
    days = 45 if current != 45 else 60
    changed = services.change_settings(actor_for(HR), tenant, {"warn_days_before_expiry": days})
    return changed.pk


TIMEOFF_CASES: dict[str, Callable[[Tenant], Any]] = {
    "leave_type.created": add_type,
    "leave_type.updated": change_type,
    "leave_type.deleted": remove_type,
    "leave_request.created": ask,
    "leave_request.updated": change_request,
    "leave_request.approved": approve,
    "leave_request.rejected": reject,
    "leave_request.cancelled": cancel,
    "absence.started": fall_ill,
    "absence.updated": extend_absence,
    "absence.ended": end_absence,
    "absence.deleted": remove_absence,
    "month.locked": lock,
    "month.unlocked": unlock,
    "closing_day.created": add_closing,
    "closing_day.deleted": remove_closing,
    "balance.corrected": correct,
    "holiday_certificate.recorded": certify,
    "timeoff_settings.updated": change_calendar_settings,
}
