"""HR's calendar set-up (timeoff.manage, company-wide): leave types, the country and region
whose public holidays apply, closing days, month locks, and the payroll export. Every
write goes through kluis.timeoff.services, which authorise, validate and audit it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors, service_error_text
from kluis.tenancy.models import Tenant
from kluis.timeoff import calendar, exports, services
from kluis.timeoff.forms.hr import (
    COUNTRY_NAMES,
    ClosingDayForm,
    ExportForm,
    LeaveTypeForm,
    LockForm,
    SettingsForm,
    UnlockForm,
    recent_months,
)
from kluis.timeoff.models import ClosingDay, LeaveType, MonthLock, TimeoffSettings
from kluis.timeoff.services import ConflictError, LeaveTypeInUseError
from kluis.timeoff.services import types as types_service
from kluis.timeoff.services._kit import StaleEntryError
from kluis.timeoff.services.types import FIELDS as LEAVE_TYPE_FIELDS

MANAGE = "timeoff.manage"


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


def _page(request: HttpRequest, template: str, tab: str, **context: Any) -> HttpResponse:
    return render(request, f"timeoff/hr/{template}", {"tab": tab, **context})


# --- leave types ----------------------------------------------------------------------


@member_required(MANAGE)
def leave_types(request: HttpRequest) -> HttpResponse:
    """The company's leave types; archived ones (`is_active` false) only when asked."""
    show_archived = request.GET.get("archived") == "1"
    rows = LeaveType.objects.for_actor(_actor(request)).order_by("position", "name")
    if not show_archived:
        rows = rows.filter(is_active=True)
    return _page(
        request, "leave_types.html", "leave_types", leave_types=rows, show_archived=show_archived
    )


@member_required(MANAGE)
def leave_type_confirm(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Asks before archiving or deleting (the form posts to `leave_type_edit`), saying why
    a type in use cannot be deleted. Another company's type is not found whatever the
    method (looked up before the method is checked)."""
    leave_type = LeaveType.objects.access_by_id(_actor(request), pk, not_found="No such leave type")
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _page(
        request,
        "leave_type_confirm.html",
        "leave_types",
        leave_type=leave_type,
        what=what,
        refusal=types_service.in_use(leave_type) if what == "delete" else "",
    )


def _leave_type_values(leave_type: LeaveType) -> dict[str, Any]:
    return {name: getattr(leave_type, name) for name in LEAVE_TYPE_FIELDS}


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def leave_type_new(request: HttpRequest) -> HttpResponse:
    actor, tenant = _actor(request), _tenant(request)
    initial = {
        **_leave_type_values(LeaveType()),
        "position": (LeaveType.objects.for_actor(actor).count() + 1) * 10,
    }
    form = LeaveTypeForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.create_leave_type(actor, tenant, form.service_data())
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The leave type %(name)s was added.") % {"name": made})
            return redirect("timeoff:leave_types")
    return _page(request, "leave_type_form.html", "leave_types", form=form, leave_type=None)


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def leave_type_edit(request: HttpRequest, pk: int) -> HttpResponseBase:
    actor = _actor(request)
    leave_type = LeaveType.objects.access_by_id(actor, pk, not_found="No such leave type")
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "delete":
        try:
            services.delete_leave_type(actor, leave_type)
        except (LeaveTypeInUseError, PermissionDenied) as error:
            messages.error(request, str(error))
            return redirect("timeoff:leave_type_delete", pk=leave_type.pk)
        messages.success(request, _("The leave type %(name)s was deleted.") % {"name": leave_type})
        return redirect("timeoff:leave_types")
    if action in ("turn_off", "turn_on"):
        try:
            services.update_leave_type(actor, leave_type, {"is_active": action == "turn_on"})
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, service_error_text(error))
        return redirect("timeoff:leave_types")
    form = LeaveTypeForm(
        request.POST if request.method == "POST" else None,
        initial=_leave_type_values(leave_type),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_leave_type(
                actor,
                leave_type,
                form.service_data(),
                expected_version=_version(request.POST.get("version")),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        except StaleEntryError as error:
            form.add_error(None, str(error))
        else:
            saved = _("The leave type %(name)s was saved.") % {"name": leave_type}
            messages.success(request, saved)
            return redirect("timeoff:leave_types")
    return _page(request, "leave_type_form.html", "leave_types", form=form, leave_type=leave_type)


def _version(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# --- settings -------------------------------------------------------------------------


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def settings(request: HttpRequest) -> HttpResponse:
    actor, tenant = _actor(request), _tenant(request)
    stored = TimeoffSettings.objects.for_actor(actor).first()
    config = stored or calendar.settings_of(tenant)
    action = request.POST.get("action", "save") if request.method == "POST" else ""
    if action == "install":
        country = request.POST.get("country", "")
        if country not in COUNTRY_NAMES:
            messages.error(request, _("Choose one from the list."))
        else:
            try:
                made = services.install_defaults(actor, tenant, country=country)
            except PermissionDenied as error:
                messages.error(request, service_error_text(error))
            else:
                messages.success(
                    request,
                    _("The calendar was set up for %(country)s (%(count)s leave types added).")
                    % {"country": COUNTRY_NAMES[country], "count": len(made)},
                )
        return redirect("timeoff:settings")
    form = SettingsForm(
        request.POST if request.method == "POST" else None,
        initial={
            "country": config.country,
            "region": config.region,
            "warn_days_before_expiry": config.warn_days_before_expiry,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.change_settings(actor, tenant, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The calendar settings were saved."))
            return redirect("timeoff:settings")
    year = timezone.localdate().year
    holidays = calendar.public_holidays(tenant, dt.date(year, 1, 1), dt.date(year + 1, 12, 31))
    years = [
        (y, [(day, name) for day, name in sorted(holidays.items()) if day.year == y])
        for y in (year, year + 1)
    ]
    return _page(
        request,
        "settings.html",
        "settings",
        form=form,
        configured=stored is not None,
        country_name=COUNTRY_NAMES.get(config.country, config.country),
        country=config.country,
        countries=sorted(COUNTRY_NAMES.items()),
        years=years,
    )


# --- closing days ---------------------------------------------------------------------


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def closing_days(request: HttpRequest) -> HttpResponse:
    actor, tenant = _actor(request), _tenant(request)
    form = ClosingDayForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.add_closing_day(actor, tenant, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(date)s is now a closing day.")
                % {"date": date_format(made.date, "DATE_FORMAT")},
            )
            return redirect("timeoff:closing_days")
    today = timezone.localdate()
    rows = ClosingDay.objects.for_actor(actor).filter(date__gte=today.replace(month=1, day=1))
    return _page(request, "closing_days.html", "closing_days", form=form, days=rows, today=today)


@member_required(MANAGE)
@require_POST
def closing_day_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    closing = ClosingDay.objects.access_by_id(actor, pk, not_found="No such closing day")
    page = confirm_first(
        request,
        title=_("Remove the closing day of %(date)s?")
        % {"date": date_format(closing.date, "DATE_FORMAT")},
        message=_("The day is a working day again in every calendar."),
        button=_("Remove closing day"),
        cancel=reverse("timeoff:closing_days"),
    )
    if page is not None:
        return page
    try:
        services.remove_closing_day(actor, closing)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request,
            _("%(date)s is no longer a closing day.")
            % {"date": date_format(closing.date, "DATE_FORMAT")},
        )
    return redirect("timeoff:closing_days")


# --- month locks ----------------------------------------------------------------------


@member_required(MANAGE)
@require_http_methods(["GET", "POST"])
def month_locks(request: HttpRequest) -> HttpResponse:
    actor, tenant = _actor(request), _tenant(request)
    form = LockForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lock = services.lock_month(actor, tenant, form.cleaned_data)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        except ConflictError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                _("%(month)s is locked.") % {"month": date_format(lock.month, "YEAR_MONTH_FORMAT")},
            )
            return redirect("timeoff:month_locks")
    history = list(MonthLock.objects.for_actor(actor).order_by("-locked_at", "-pk"))
    open_locks = {lock.month: lock for lock in history if lock.is_locked}
    months = [(month, open_locks.get(month)) for month in recent_months()]
    return _page(
        request,
        "month_locks.html",
        "month_locks",
        form=form,
        months=months,
        history=history,
        unlock_form=UnlockForm(),
    )


@member_required(MANAGE)
@require_POST
def month_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    lock = MonthLock.objects.access_by_id(actor, pk, not_found="No such month lock")
    form = UnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why (it is kept in the audit log)."))
        return redirect("timeoff:month_locks")
    try:
        services.unlock_month(actor, lock, reason=form.cleaned_data["reason"])
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    except ConflictError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(month)s is unlocked.") % {"month": date_format(lock.month, "YEAR_MONTH_FORMAT")},
        )
    return redirect("timeoff:month_locks")


# --- the payroll export ---------------------------------------------------------------


@member_required(MANAGE)
def export(request: HttpRequest) -> HttpResponseBase:
    """The form (default: last month); with `from` and `to` the file itself."""
    actor, tenant = _actor(request), _tenant(request)
    asked = "from" in request.GET or "to" in request.GET
    form = ExportForm(request.GET if asked else None)
    if asked and form.is_valid():
        first, last = form.cleaned_data["from"], form.cleaned_data["to"]
        kind = form.cleaned_data["format"] or "csv"
        try:
            data = exports.rows(actor, tenant, first, last)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            exports.record_export(actor, tenant, first, last, export_format=kind, count=len(data))
            if kind == "xlsx":
                return exports.xlsx_response(tenant, data, first, last)
            return exports.csv_response(tenant, data, first, last)
    return _page(
        request, "export.html", "export", form=form, shows_kinds=exports.kinds_shown(actor)
    )
