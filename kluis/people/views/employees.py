"""HR screens of the People app: the employee list and editing (hiring: hire.py).

Thin: parse, call a selector or service, render. Employees are looked up through
`selectors.employee_for`, so another company's or an unreachable id is a 404 before any
permission is considered; a missing permission on a reachable employee is a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.people import selectors, services
from kluis.people.accounts import logins_without_file, state_of_row, with_account_state
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.filters import SORT_LABELS, EmployeeFilter, with_start_date
from kluis.people.forms.hr import (
    SEALED_SECRETS,
    EmployeeForm,
    show_service_errors,
)
from kluis.people.permissions import is_self
from kluis.people.services.invitations import PERMISSION as INVITE
from kluis.people.services.invitations import login_state
from kluis.people.views._common import (
    _actor,
    _address,
    _company_wide,
    _custom_definitions,
    _detail_url,
)

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)
RESULTS_TARGET = "employee-results"


# --- the list -------------------------------------------------------------------------------


def _wants_results(request: HttpRequest) -> bool:
    """htmx live search swaps only the results; a history restore wants the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Target") == RESULTS_TARGET
    )


def _logins_without_file(actor: Actor, employee_filter: EmployeeFilter) -> list[Any]:
    """Logins with no HR file, under the table, while only search, account and role narrow
    the list (an employee-only filter such as a department leaves them out)."""
    if not employee_filter.shows_accounts:
        return []
    if employee_filter.is_bound and not employee_filter.is_valid():
        return []
    data = employee_filter.form.cleaned_data if employee_filter.is_bound else {}
    narrowing = {k for k, v in data.items() if v not in (None, "") and k != "sort"}
    if narrowing - {"q", "account", "role"}:
        return []
    return logins_without_file(
        actor,
        state=data.get("account") or "",
        role=data.get("role"),
        search=data.get("q") or "",
    )


@member_required("people.view")
def employee_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    employee_filter = EmployeeFilter(request.GET or None, actor=actor)
    # Page through ids only (cheap even deep down), then load the page's rows with their
    # annotations: the start-date subquery runs for 50 rows, not for every skipped one.
    try:
        page_size = int(request.GET.get("page_size", PAGE_SIZE))
    except ValueError:
        page_size = PAGE_SIZE
    if page_size not in PAGE_SIZES:
        page_size = PAGE_SIZE
    ids_page = Paginator(employee_filter.qs.values_list("pk", flat=True), page_size)
    page = ids_page.get_page(request.GET.get("page"))
    ids = list(page.object_list)
    rows = {
        e.pk: e
        for e in with_start_date(
            with_account_state(selectors.employees_for(actor).filter(pk__in=ids))
        )
    }
    can_invite = can(actor, INVITE)
    for row in rows.values():
        row.login = login_state(row)  # type: ignore[attr-defined]
        row.account = state_of_row(row, has_membership=row.membership_id is not None)  # type: ignore[attr-defined]
    page.object_list = [rows[pk] for pk in ids if pk in rows]  # type: ignore[misc]
    current = employee_filter.current_sort
    columns = [
        {"key": key, "label": label, "sort": f"-{key}" if current == key else key}
        for key, label in SORT_LABELS.items()
    ]
    template = "people/hr/employee_list.html"
    response = render(
        request,
        template + "#results" if _wants_results(request) else template,
        {
            "filter": employee_filter,
            "page": page,
            "employees": page.object_list,
            "columns": columns,
            "current_sort": current,
            "page_size": page_size,
            "page_sizes": PAGE_SIZES,
            "results_target": RESULTS_TARGET,
            "can_hire": _company_wide(actor, "people.edit"),
            "can_invite": can_invite,
            "shows_accounts": employee_filter.shows_accounts,
            "logins_without_file": _logins_without_file(actor, employee_filter),
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- hiring and editing ---------------------------------------------------------------------


@never_cache
@member_required("people.view")
def employee_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    allowed = services.editable_fields(actor, employee)
    if not allowed - {"emergency_contacts", "photo"}:
        raise PermissionDenied
    names = [n for n in allowed if n in EMPLOYEE_FIELDS]
    if is_self(actor, employee):  # a new bank account of one's own needs the password again
        names = [n for n in names if n != "iban"]
    values = selectors.profile(actor, employee, reveal=False)
    initial = EmployeeForm.initial_for(values, _address(employee, values), employee.custom_fields)
    initial["version"] = employee.version
    form = EmployeeForm(
        request.POST if request.method == "POST" else None,
        names=names,
        custom_fields=_custom_definitions(actor) if "custom_fields" in allowed else [],
        editing=True,
        secrets_set=[n for n in SEALED_SECRETS if values.get(n)],
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.update_employee(
                actor,
                employee,
                form.service_data(employee.custom_fields),
                expected_version=form.cleaned_data["version"],
            )
        except services.StaleVersionError as stale:
            form.add_error(None, str(stale))
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            if saved.version == employee.version:
                messages.info(request, _("Nothing changed."))
            else:
                messages.success(request, _("The changes were saved."))
            return redirect(_detail_url(employee))
    return render(
        request,
        "people/hr/employee_form.html",
        {"form": form, "employee": employee, "self_edit": is_self(actor, employee)},
    )
