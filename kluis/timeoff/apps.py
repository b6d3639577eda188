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
        register_kind(key, label, description, default_delivery=default, group=group)


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
