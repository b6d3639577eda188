"""Hiring from the HR screens: the form in sections, then "Check and save" (a summary of
what will be created, Back or Save), then `services.hire_employee`. No state is kept
between the steps: the summary carries the posted values in hidden fields, so it works
without JavaScript and on any node."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.people import services
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.forms.hire import hire_sections, summary
from kluis.people.forms.hr import EmployeeForm, EmploymentForm, WageForm, show_service_errors
from kluis.people.models import EmployeeStatus
from kluis.people.views._common import _actor, _company_wide, _custom_definitions, _detail_url

CHECK, BACK, SAVE = "check", "back", "save"
NOT_CARRIED = {"csrfmiddlewaretoken", "step"}


def _forms(actor: Actor, data: Any) -> dict[str, Any]:
    return {
        "employee": EmployeeForm(
            data,
            names=[n for n in services.HIRE_FIELDS if can(actor, EMPLOYEE_FIELDS[n].permission)],
            custom_fields=_custom_definitions(actor),
            initial={"status": EmployeeStatus.ACTIVE},
        ),
        "employment": EmploymentForm(data, prefix="employment", actor=actor),
        "wage": WageForm(data, prefix="wage", hiring=True)
        if can(actor, "people.view_salary")
        else None,
    }


def _hire_data(parts: dict[str, Any]) -> dict[str, Any]:
    hire: dict[str, Any] = parts["employee"].service_data()
    hire["employment"] = parts["employment"].service_data()
    wage = parts["wage"]
    if wage is not None and not wage.is_empty():
        hire["wage"] = wage.service_data()
    return hire


def _render_form(request: HttpRequest, parts: dict[str, Any]) -> HttpResponse:
    return render(
        request,
        "people/hr/hire_form.html",
        {
            "sections": hire_sections(parts),
            "form": parts["employee"],
            "employment_form": parts["employment"],
            "wage_form": parts["wage"],
        },
    )


@never_cache
@member_required("people.edit")
def employee_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _company_wide(actor, "people.edit"):
        raise PermissionDenied
    if request.method != "POST":
        return _render_form(request, _forms(actor, None))
    parts = _forms(actor, request.POST)
    step = request.POST.get("step", CHECK)
    if step == BACK:
        return _render_form(request, parts)
    present = [part for part in parts.values() if part is not None]
    if not all([part.is_valid() for part in present]):
        return _render_form(request, parts)
    hire = _hire_data(parts)
    service_parts = {k: v for k, v in parts.items() if k != "employee" and v is not None}
    try:
        if step == SAVE:
            employee = services.hire_employee(actor, actor.tenant, hire)  # type: ignore[arg-type]
        else:
            services.check_hire(actor, actor.tenant, hire)  # type: ignore[arg-type]
    except (ValidationError, PermissionDenied) as error:
        show_service_errors(error, parts["employee"], service_parts)
        return _render_form(request, parts)
    if step == SAVE:
        messages.success(request, _("%(name)s was hired.") % {"name": employee.display_name})
        return redirect(_detail_url(employee))
    carried = [
        (key, value)
        for key in request.POST
        if key not in NOT_CARRIED
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "people/hr/hire_check.html",
        {"summary": summary(hire_sections(parts)), "carried": carried},
    )
