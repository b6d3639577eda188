from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class TimeoffConfig(AppConfig):
    name = "kluis.timeoff"
    label = "timeoff"
    verbose_name = "Time off"

    def ready(self) -> None:
        """Register the calendar's webhook events, what a viewer may see of its records,
        its start in every new company (leave types and public holidays of the company's
        country) and its part of the demo companies."""
        _register_audit_sentences()  # helper auditorg
        from kluis.company.services.members import on_new_company
        from kluis.timeoff import events

        events.register_all()
        on_new_company(self.label, _install_defaults)
        _declare_visibility()
        # --- demo calendar (kluis/timeoff/demo/) ---
        from kluis.company import demo

        demo.register(self.label, _load_demo_calendar, upgrade=_upgrade_demo_calendar)
        # --- end demo calendar ---
        _schedule_balances()
        _register_notice_kinds()


def _register_notice_kinds() -> None:
    """The calendar's kinds of notice in the inbox (kluis/company/notices_kinds.py); the
    absence notices never say why (their text holds the dates only)."""
    from django.utils.translation import gettext_lazy as _

    from kluis.company.models import Delivery
    from kluis.company.notices_kinds import register_kind

    group = _("Time off")
    for key, label, description, default in (
        (
            "leave_request.waiting",
            _("Leave waiting for your approval"),
            _("Someone asks for leave and it is your turn to approve or reject it."),
            Delivery.EMAIL,
        ),
        (
            "leave_request.approved",
            _("Your leave was approved"),
            _("Your own request for leave was approved."),
            Delivery.EMAIL,
        ),
        (
            "leave_request.rejected",
            _("Your leave was rejected"),
            _("Your own request for leave was rejected."),
            Delivery.EMAIL,
        ),
        (
            "leave_request.cancelled",
            _("Leave cancelled"),
            _("Your leave was cancelled, or leave you approve or approved was withdrawn."),
            Delivery.EMAIL,
        ),
        (
            "absence.started",
            _("Someone is absent"),
            _("Someone you manage or look after is absent (never why)."),
            Delivery.EMAIL,
        ),
        (
            "absence.ended",
            _("Someone is back"),
            _("An absence of someone you manage or look after ended."),
            Delivery.DIGEST,
        ),
        (
            "timeoff.expiry",
            _("Leave about to expire"),
            _("Some of your leave expires soon: plan it before then."),
            Delivery.EMAIL,
        ),
        (
            "timeoff.expiry_kept",
            _("Leave kept past its expiry"),
            _("Leave that was not announced in time to expire, kept for the employees."),
            Delivery.EMAIL,
        ),
    ):
        register_kind(
            key,
            label,
            description,
            default_delivery=default,
            group=group,
            audience=AUDIENCES.get(key, ()),
        )


# Who may get the kinds that are not about one's own leave (kluis/timeoff/notifications.py
# sends them): approvers, those told of absences, HR of the leave set-up.
AUDIENCES = {
    "leave_request.waiting": ("timeoff.approve",),
    "absence.started": ("timeoff.approve", "timeoff.view_sickness"),
    "absence.ended": ("timeoff.approve", "timeoff.view_sickness"),
    "timeoff.expiry_kept": ("timeoff.manage",),
}


def _install_defaults(actor: Any, tenant: Any, *, country: str) -> None:
    from kluis.timeoff.services.types import install_defaults

    install_defaults(actor, tenant, country=country)


# --- demo calendar (kluis/timeoff/demo/) ---
def _load_demo_calendar(tenant: Any, *, locale: str, country: str) -> None:
    """A year of leave, sickness, a closing day and a month lock (settings.DEMO_CALENDAR:
    off in the test settings, whose tests lay out their own calendar)."""
    from django.conf import settings

    if settings.DEMO_CALENDAR:
        from kluis.timeoff.demo import load_calendar

        load_calendar(tenant, locale=locale, country=country)


def _upgrade_demo_calendar(tenant: Any, *, locale: str, country: str) -> None:
    """A demo made before the calendar existed gets its year too (once)."""
    from django.conf import settings

    if settings.DEMO_CALENDAR:
        from kluis.timeoff.demo import has_calendar, load_calendar

        if not has_calendar(tenant):
            load_calendar(tenant, locale=locale, country=country)


# --- end demo calendar ---


# --- balances (helper tbal): the ledger's scheduled jobs ---------------------------------
def _schedule_balances() -> None:
    """Once a day across every worker: entitlements and accruals (kluis/timeoff/tasks.py),
    then expiry notices and expiries."""
    from kluis.operations import schedule

    schedule.register("timeoff.grants", 86400, "kluis.timeoff.tasks.daily_grants")
    schedule.register("timeoff.expiries", 86400, "kluis.timeoff.tasks.daily_expiries")

    from kluis.access import visibility

    leave = "timeoff.view"
    visibility.register(
        "timeoff.ledgerentry",
        dict.fromkeys(("year", "lines", "employees", "tranche", "expires_on", "reason"), leave)
        | {"kept_without_notice": leave},
        label=leave,
    )
    visibility.register(
        "timeoff.holidaycertificate",
        dict.fromkeys(("year", "days", "employer"), leave),
        label=leave,
    )
    visibility.register("timeoff.expirynotice", {"notices": leave}, label=leave)


# --- end of balances (helper tbal) -------------------------------------------------------


def _declare_visibility() -> None:
    """What the audit log shows of the calendar's records, to whom (kluis.access.visibility):
    leave to who sees leave, a sick period's dates to who sees who is away, its kind only
    to who sees sickness details (its reason and note are never in the log at all)."""
    from kluis.access import visibility
    from kluis.timeoff.services.types import FIELDS as LEAVE_TYPE_FIELDS

    plain = visibility.PLAIN
    leave = "timeoff.view"
    away = "timeoff.view_calendar"
    sick = "timeoff.view_sickness"
    for object_type, fields, label in (
        ("timeoff.leavetype", dict.fromkeys(LEAVE_TYPE_FIELDS, plain), plain),
        (
            "timeoff.leaverequest",
            dict.fromkeys(
                (
                    *("leave_type", "start_date", "end_date", "start_part", "end_part"),
                    *("hours", "status", "stage"),
                ),
                leave,
            ),
            leave,
        ),
        (
            "timeoff.absence",
            {"start_date": away, "end_date": away, "kind": sick, "reason": sick, "note": sick},
            away,
        ),
        ("timeoff.monthlock", {"month": plain, "reason": plain}, plain),
        ("timeoff.closingday", {"date": plain, "name": plain}, plain),
        (
            "timeoff.timeoffsettings",
            dict.fromkeys(("country", "region", "warn_days_before_expiry", "leave_types"), plain),
            plain,
        ),
        (
            "timeoff.ledgerentry",
            dict.fromkeys(("leave_type", "kind", "hours", "effective", "note"), leave),
            leave,
        ),
    ):
        visibility.register(object_type, fields, label=label)


# --- audit sentences (helper auditorg) ---------------------------------------------------
def _register_audit_sentences() -> None:
    """The audit log's sentences for what time off records, and which of its records
    belong to one employee (kluis.audit.sentences, kluis.audit.subjects)."""
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences, subjects
    from kluis.timeoff import models

    sentences.register_all(
        "timeoff",
        {
            "leave_request.created": _("%(actor)s requested leave: %(object)s"),
            "leave_request.updated": (
                _("%(actor)s changed the leave request %(object)s"),
                _("%(actor)s changed %(fields)s of the leave request %(object)s"),
            ),
            "leave_request.cancelled": _("%(actor)s cancelled the leave request %(object)s"),
            "leave_request.approved": _("%(actor)s approved the leave request %(object)s"),
            "leave_request.rejected": _("%(actor)s rejected the leave request %(object)s"),
            "absence.started": _("%(actor)s registered the absence %(object)s"),
            "absence.updated": (
                _("%(actor)s changed the absence %(object)s"),
                _("%(actor)s changed %(fields)s of the absence %(object)s"),
            ),
            "absence.deleted": _("%(actor)s deleted the absence %(object)s"),
            "absence.sensitive_viewed": _("%(actor)s viewed the details of the absence %(object)s"),
            "balance.corrected": _("%(actor)s corrected a leave balance: %(object)s"),
            "balance.extended": _("%(actor)s extended leave hours before they expire: %(object)s"),
            "balances.expired": _("%(actor)s let unused leave hours expire"),
            "balances.expiry_notices_sent": _("%(actor)s sent notices of leave about to expire"),
            "balances.granted": _("%(actor)s granted the leave entitlements"),
            "holiday_certificate.recorded": _(
                "%(actor)s recorded the holiday certificate %(object)s"
            ),
            "calendar_feed.created": _("%(actor)s created a calendar feed"),
            "calendar_feed.revoked": _("%(actor)s revoked a calendar feed"),
            "closing_day.created": _("%(actor)s added the closing day %(object)s"),
            "closing_day.deleted": _("%(actor)s removed the closing day %(object)s"),
            "leave_type.created": _("%(actor)s created the leave type %(object)s"),
            "leave_type.updated": (
                _("%(actor)s changed the leave type %(object)s"),
                _("%(actor)s changed %(fields)s of the leave type %(object)s"),
            ),
            "leave_type.deleted": _("%(actor)s deleted the leave type %(object)s"),
            "month.locked": _("%(actor)s locked the month %(object)s"),
            "month.unlocked": _("%(actor)s unlocked the month %(object)s"),
            "timeoff.defaults_installed": _(
                "%(actor)s installed the default leave types and public holidays"
            ),
            "timeoff.exported": _("%(actor)s exported leave and absence data"),
            "timeoff_settings.updated": (
                _("%(actor)s changed the time off settings"),
                _("%(actor)s changed %(fields)s in the time off settings"),
            ),
        },
    )
    labels = {
        "leave_type": _("Leave type"),
        "start_date": _("Start date"),
        "end_date": _("End date"),
        "start_part": _("Start of the first day"),
        "end_part": _("End of the last day"),
        "hours": _("Hours"),
        "status": _("Status"),
        "kind": _("Kind"),
        "reason": _("Reason"),
        "note": _("Note"),
    }
    for object_type in ("timeoff.leaverequest", "timeoff.absence", "timeoff.leavetype"):
        sentences.field_labels(object_type, labels)
    for object_type, model in (
        ("timeoff.leaverequest", models.LeaveRequest),
        ("timeoff.absence", models.Absence),
        ("timeoff.holidaycertificate", models.HolidayCertificate),
        ("timeoff.ledgerentry", models.LedgerEntry),
        ("timeoff.balancecorrection", models.BalanceCorrection),
    ):
        subjects.register_records(object_type, model, "employee")
    from kluis.timeoff.audit_labels import absence_labels, leave_request_labels

    subjects.register_labels("timeoff.leaverequest", leave_request_labels)
    subjects.register_labels("timeoff.absence", absence_labels)


# --- end of audit sentences (helper auditorg) ---------------------------------------------
