"""HR screens for contracts and wages: add or end a contract, set a wage, add or end a
wage component."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.people import selectors, validation
from kluis.people.forms.hr import (
    EmploymentForm,
    EndEmploymentForm,
    ProbationForm,
    WageComponentForm,
    WageForm,
    show_service_errors,
)
from kluis.people.models import Employee
from kluis.people.services import contracts, pay
from kluis.people.views._common import (
    _actor,
    _detail_url,
    _may_add_contract,
    _may_end_contract,
    _may_pay,
)

# --- contracts and wages --------------------------------------------------------------------


def _small_form(
    request: HttpRequest, employee: Employee, form: Any, title: str, submit: str, **extra: Any
) -> HttpResponse:
    return render(
        request,
        "people/hr/small_form.html",
        {"employee": employee, "form": form, "title": title, "submit": submit, **extra},
    )


@member_required("people.view")
def employment_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    if not _may_add_contract(actor, employee):
        raise PermissionDenied
    form = EmploymentForm(
        request.POST if request.method == "POST" else None,
        actor=actor,
        exclude=employee.pk,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contracts.add_employment(actor, employee, form.service_data())
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The contract was added."))
            return redirect(_detail_url(employee, "job"))
    return _small_form(request, employee, form, _("New contract"), _("Add contract"), back="job")


def _day(value: Any) -> str:
    """A posted day as the one date format shows it (as typed when it is no date)."""
    try:
        day = validation.date(value)
    except ValidationError:
        return str(value)
    return formats.date_format(day, "DATE_FORMAT") if day else str(value)


def _ask_unless_refused(
    form: EndEmploymentForm, start: dt.date, probation: dt.date | None = None
) -> bool:
    """Ask before ending, unless the day is one the service refuses anyway (not a date,
    before the start, or before the contract's end of probation `probation`): then its
    error is shown at once, with no question first."""
    try:
        day = validation.date(form.cleaned_data["end_date"])
    except ValidationError:
        return False
    return day is not None and day >= start and (probation is None or day >= probation)


@member_required("people.view")
def employment_end(request: HttpRequest, pk: int, contract_pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    contract = employee.employments.access_by_id(actor, contract_pk, not_found="No such contract")
    if not _may_end_contract(actor, employee):
        raise PermissionDenied
    contract.employee = employee
    form = EndEmploymentForm(
        request.POST if request.method == "POST" else None,
        initial={"end_date": contract.end_date or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        page = (
            None
            if not _ask_unless_refused(form, contract.start_date, contract.probation_end_date)
            else confirm_first(
                request,
                title=_("End the contract of %(name)s?") % {"name": employee.display_name},
                message=_(
                    "The contract as %(job)s ends on %(day)s. When it is their last contract, "
                    "%(name)s leaves the company that day."
                )
                % {
                    "job": contract.job_title,
                    "day": _day(form.cleaned_data["end_date"]),
                    "name": employee.display_name,
                },
                button=_("End contract"),
                cancel=_detail_url(employee, "job"),
            )
        )
        if page is not None:
            return page
        try:
            contracts.end_employment(actor, contract, form.cleaned_data["end_date"])
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The contract end date was saved."))
            return redirect(_detail_url(employee, "job"))
    return _small_form(
        request,
        employee,
        form,
        _("End a contract"),
        _("Save end date"),
        back="job",
        contract=contract,
    )


@member_required("people.view")
def employment_probation(request: HttpRequest, pk: int, contract_pk: int) -> HttpResponse:
    """Set, move or clear the last day of a contract's probation period."""
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    contract = employee.employments.access_by_id(actor, contract_pk, not_found="No such contract")
    if not _may_end_contract(actor, employee):
        raise PermissionDenied
    contract.employee = employee
    form = ProbationForm(
        request.POST if request.method == "POST" else None,
        initial={"probation_end_date": contract.probation_end_date},
        start=contract.start_date,
        end=contract.end_date,
    )
    if request.method == "POST" and form.is_valid():
        try:
            contracts.set_probation_end(actor, contract, form.cleaned_data["probation_end_date"])
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The end of probation was saved."))
            return redirect(_detail_url(employee, "job"))
    return _small_form(
        request,
        employee,
        form,
        _("Probation period"),
        _("Save end of probation"),
        back="job",
        contract=contract,
    )


@member_required("people.view")
def wage_set(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    if not _may_pay(actor, employee):
        raise PermissionDenied
    form = WageForm(
        request.POST if request.method == "POST" else None,
        initial={"effective_from": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pay.set_wage(actor, employee, form.service_data())
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The wage was saved."))
            return redirect(_detail_url(employee, "wages"))
    return _small_form(request, employee, form, _("New wage"), _("Save wage"), back="wages")


@member_required("people.view")
def wage_component_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    if not _may_pay(actor, employee):
        raise PermissionDenied
    form = WageComponentForm(
        request.POST if request.method == "POST" else None,
        initial={"start_date": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pay.add_wage_component(actor, employee, form.service_data())
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The wage component was added."))
            return redirect(_detail_url(employee, "wages"))
    return _small_form(
        request, employee, form, _("New wage component"), _("Add component"), back="wages"
    )


@member_required("people.view")
def wage_component_end(request: HttpRequest, pk: int, component_pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    component = employee.wage_components.access_by_id(
        actor, component_pk, not_found="No such wage component"
    )
    if not _may_pay(actor, employee):
        raise PermissionDenied
    component.employee = employee
    form = EndEmploymentForm(
        request.POST if request.method == "POST" else None,
        initial={"end_date": component.end_date or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        page = (
            None
            if not _ask_unless_refused(form, component.start_date)
            else confirm_first(
                request,
                title=_("End this wage component of %(name)s?") % {"name": employee.display_name},
                message=_("%(label)s is paid for the last time for %(day)s.")
                % {
                    "label": component.label or component.get_kind_display(),
                    "day": _day(form.cleaned_data["end_date"]),
                },
                button=_("End component"),
                cancel=_detail_url(employee, "wages"),
            )
        )
        if page is not None:
            return page
        try:
            pay.end_wage_component(actor, component, form.cleaned_data["end_date"])
        except pay.WageInForceError as error:
            form.add_error(None, str(error))
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The component's end date was saved."))
            return redirect(_detail_url(employee, "wages"))
    return _small_form(
        request, employee, form, _("End a wage component"), _("Save end date"), back="wages"
    )
