"""The webhook events of the calendar (kluis/integrations/webhooks/catalogue.py).

- `leave_request.created` for every new request; one that needs no approval is approved
  at once (`leave_request.approved` follows in the same change). `leave_request.updated`
  for a changed pending request, and for the first of two approvals (`stage` moves from
  the manager to HR); `leave_request.approved` only after the last approver.
- `absence.started` when a sick period is registered, `absence.ended` when it gets its
  end date (registered with one: both at once), `absence.updated` for any other change.
  Payloads never carry a reason or note; a full object shows them only to a
  subscription whose owner holds `absence:read`.
- `month.locked` / `month.unlocked`: a month closed for payroll, or opened again.
- `balance.corrected`: HR wrote a correction line (statutory leave marked as not takeable
  is one); `holiday_certificate.recorded`: HR entered (or replaced) a joiner's certificate.
- `timeoff_settings.updated`: the public holidays' country or region, or the expiry
  warning, changed (no API resource: the payload names the changed fields).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, register

LEAVE_TYPE = "timeoff.leavetype"
LEAVE_REQUEST = "timeoff.leaverequest"
ABSENCE = "timeoff.absence"
MONTH_LOCK = "timeoff.monthlock"
CLOSING_DAY = "timeoff.closingday"
BALANCE_CORRECTION = "timeoff.balancecorrection"
HOLIDAY_CERTIFICATE = "timeoff.holidaycertificate"
SETTINGS = "timeoff.timeoffsettings"


def register_all() -> None:
    from kluis.timeoff.api import examples

    leave_type: dict[str, Any] = {
        "object_type": LEAVE_TYPE,
        "resource": "leave-types",
        "example_object": dict(examples.LEAVE_TYPE),
    }
    request: dict[str, Any] = {
        "object_type": LEAVE_REQUEST,
        "resource": "leave-requests",
        "parent": "employee",
        "example_object": dict(examples.LEAVE_REQUEST),
    }
    absence: dict[str, Any] = {
        "object_type": ABSENCE,
        "resource": "absences",
        "parent": "employee",
        "example_object": dict(examples.ABSENCE),
    }
    lock: dict[str, Any] = {
        "object_type": MONTH_LOCK,
        "resource": "month-locks",
        "example_object": dict(examples.MONTH_LOCK),
    }
    closing: dict[str, Any] = {
        "object_type": CLOSING_DAY,
        "resource": "closing-days",
        "example_object": dict(examples.CLOSING_DAY),
    }
    correction: dict[str, Any] = {
        "object_type": BALANCE_CORRECTION,
        "resource": "balance-corrections",
        "parent": "employee",
        "example_object": dict(examples.BALANCE_CORRECTION),
    }
    certificate: dict[str, Any] = {
        "object_type": HOLIDAY_CERTIFICATE,
        "resource": "holiday-certificates",
        "parent": "employee",
        "example_object": dict(examples.HOLIDAY_CERTIFICATE),
    }
    approved = dict(examples.LEAVE_REQUEST) | {"status": "approved", "stage": ""}
    for event in (
        EventType("leave_type.created", _("A leave type was created"), **leave_type),
        EventType(
            "leave_type.updated",
            _("A leave type changed"),
            **leave_type,
            example_fields=("yearly_entitlement",),
        ),
        EventType("leave_type.deleted", _("A leave type was removed"), **leave_type),
        EventType("leave_request.created", _("Leave was requested"), **request),
        EventType(
            "leave_request.updated",
            _("A leave request changed (dates, type, or its first approval)"),
            **request,
            example_fields=("end_date",),
        ),
        EventType(
            "leave_request.approved",
            _("A leave request was approved (by its last approver)"),
            **(request | {"example_object": approved}),
        ),
        EventType("leave_request.rejected", _("A leave request was rejected"), **request),
        EventType("leave_request.cancelled", _("A leave request was cancelled"), **request),
        EventType("absence.started", _("An absence (sick period) was registered"), **absence),
        EventType(
            "absence.updated",
            _("An absence changed (extended, shortened, its kind)"),
            **absence,
            example_fields=("end_date",),
        ),
        EventType("absence.ended", _("An absence got its last day"), **absence),
        EventType("absence.deleted", _("An absence registered by mistake was removed"), **absence),
        EventType("month.locked", _("A month was locked for payroll"), **lock),
        EventType("month.unlocked", _("A locked month was opened again"), **lock),
        EventType("closing_day.created", _("A company closing day was added"), **closing),
        EventType("closing_day.deleted", _("A company closing day was removed"), **closing),
        EventType(
            "balance.corrected",
            _("HR corrected a leave balance"),
            **correction,
            details={"leave_type": 3},
        ),
        EventType(
            "holiday_certificate.recorded",
            _("HR recorded a joiner's holiday certificate (a new one or one replaced)"),
            **certificate,
            details={"year": 2025},
        ),
        EventType(
            "timeoff_settings.updated",
            _(
                "The company's time-off settings changed (public holidays' country or region, "
                "expiry warning)"
            ),
            SETTINGS,
            example_fields=("region",),
            read="timeoff.view_calendar",
        ),
    ):
        register(event)
