"""HR screens of the People app: the employee list, the profile with its tabs, hiring and
editing, contracts and wages.

Thin: parse, call a selector or service, render. Employees are looked up through
`selectors.employee_for`, so another company's or an unreachable id is a 404 before any
permission is considered; a missing permission on a reachable employee is a 403.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.permissions import Scope
from kluis.audit.services import MASK
from kluis.people import contracts as pay_and_contracts
from kluis.people import selectors, services
from kluis.people.fields import EMPLOYEE_FIELDS
from kluis.people.filters import SORT_LABELS, EmployeeFilter, with_start_date
from kluis.people.forms_hr import (
    SEALED_SECRETS,
    EmployeeForm,
    EmploymentForm,
    EndEmploymentForm,
    WageComponentForm,
    WageForm,
    show_service_errors,
)
from kluis.people.models import (
    CustomFieldDefinition,
    EmergencyContact,
    Employee,
    EmployeeStatus,
    EmployeeVersion,
    Employment,
    Gender,
    WageComponent,
)
from kluis.people.permissions import can_on, is_self, scope_of
from kluis.people.photos import may_change_photo
from kluis.people.records import sealed_value
from kluis.people.validation import COUNTRIES
from kluis.web.decorators import member_required

PAGE_SIZE = 50
PAGE_SIZES = (25, 50, 100, 200)
TABS: dict[str, Promise] = {
    "personal": gettext_lazy("Personal"),
    "job": gettext_lazy("Job & contract"),
    "wages": gettext_lazy("Wages"),
    "documents": gettext_lazy("Documents"),
    "history": gettext_lazy("History"),
}
GROUP_TITLES: dict[str, Promise] = {
    "basic": gettext_lazy("Work"),
    "job": gettext_lazy("Job"),
    "personal": gettext_lazy("Personal"),
    "identity": gettext_lazy("Identity"),
    "bank": gettext_lazy("Bank"),
}
JOB_FIELDS = ("job_title", "department", "team", "manager")
# History lists a version's changes in the order of the field table.
CHANGE_ORDER = {
    name: index
    for index, name in enumerate(
        [*EMPLOYEE_FIELDS, "custom_fields", "employment", "wage", "wage_component"]
    )
}
RESULTS_TARGET = "employee-results"


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _company_wide(actor: Actor, *permissions: str) -> bool:
    return all(scope_of(actor, p) == Scope.COMPANY for p in permissions)


def _custom_definitions(actor: Actor) -> list[CustomFieldDefinition]:
    return list(CustomFieldDefinition.objects.filter(tenant=actor.tenant, is_active=True))


# --- the list -------------------------------------------------------------------------------


def _wants_results(request: HttpRequest) -> bool:
    """htmx live search swaps only the results; a history restore wants the whole page."""
    headers = request.headers
    return (
        headers.get("HX-Request") == "true"
        and headers.get("HX-History-Restore-Request") != "true"
        and headers.get("HX-Target") == RESULTS_TARGET
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
    rows = {e.pk: e for e in with_start_date(selectors.employees_for(actor).filter(pk__in=ids))}
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
        },
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- the profile ----------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    label: Any
    value: Any
    masked: bool = False


@dataclass
class Change:
    label: Any
    old: Any = None
    new: Any = None
    masked: bool = False
    plain: bool = False  # changed, without values (a contract, a wage)


@dataclass
class VersionRow:
    version: EmployeeVersion
    changes: list[Change] = field(default_factory=list)


def _display(name: str, value: Any) -> Any:
    """A stored value as a person reads it."""
    if value in (None, ""):
        return ""
    if value == MASK:
        return value
    if name == "status" and value in EmployeeStatus.values:
        return EmployeeStatus(value).label
    if name == "gender" and value in Gender.values:
        return Gender(value).label
    if name == "nationality":
        return COUNTRIES.get(str(value), value)
    if name == "address" and isinstance(value, dict):
        street = " ".join(p for p in (value.get("street"), value.get("number")) if p)
        town = " ".join(p for p in (value.get("postal_code"), value.get("city")) if p)
        country = str(COUNTRIES.get(value.get("country") or "", value.get("country") or ""))
        return ", ".join(p for p in (street, town, country) if p)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _address(employee: Employee, values: dict[str, Any]) -> dict[str, Any]:
    """The home address is personal data, not an audited secret: whoever's profile holds
    it (people.view_personal) reads it without a "Show" step."""
    if "address" not in values:
        return {}
    if isinstance(values["address"], dict):
        return values["address"]
    return sealed_value(employee, "address") if values["address"] else {}


def _profile_groups(values: dict[str, Any]) -> list[tuple[Any, list[Row]]]:
    groups: dict[str, list[Row]] = {}
    for name, value in values.items():
        spec = EMPLOYEE_FIELDS[name]
        groups.setdefault(spec.group, []).append(
            Row(name, spec.label, _display(name, value), masked=value == MASK)
        )
    return [(GROUP_TITLES[g], groups[g]) for g in GROUP_TITLES if g in groups]


def _custom_rows(actor: Actor, employee: Employee) -> list[Row]:
    return [
        Row(d.key, d.label, _display(d.key, employee.custom_fields.get(d.key)))
        for d in _custom_definitions(actor)
        if employee.custom_fields.get(d.key) not in (None, "")
    ]


def _personal_context(request: HttpRequest, actor: Actor, employee: Employee) -> dict[str, Any]:
    reveal = request.GET.get("reveal") == "1"
    values = selectors.profile(actor, employee, reveal=reveal)
    if "address" in values:
        values["address"] = _address(employee, values)
    contacts = (
        list(EmergencyContact.objects.filter(tenant_id=employee.tenant_id, employee=employee))
        if can_on(actor, "people.view_personal", employee)
        else None
    )
    return {
        "groups": _profile_groups(values),
        "custom_rows": _custom_rows(actor, employee),
        "contacts": contacts,
        "has_masked": any(v == MASK for v in values.values()),
        "revealed": reveal,
        "can_change_photo": may_change_photo(actor, employee),
    }


def _job_context(actor: Actor, employee: Employee) -> dict[str, Any]:
    contracts = list(
        Employment.objects.filter(tenant_id=employee.tenant_id, employee=employee)
        .select_related("department", "team", "manager")
        .order_by("-start_date")
    )
    current = pay_and_contracts.current_employment(employee)
    return {
        "contracts": contracts,
        "current_contract_id": current.pk if current else None,
        "can_add_contract": _may_add_contract(actor, employee),
        "can_end_contract": _may_end_contract(actor, employee),
    }


def _wages_context(actor: Actor, employee: Employee) -> dict[str, Any]:
    wages = selectors.wages(actor, employee) or []
    today = timezone.localdate()
    current = next((w for w in wages if w.effective_from <= today), None)
    components = selectors.wage_components(actor, employee) or []
    return {
        "wages": wages,
        "current_wage": current,
        "components": components,
        "can_pay": _may_pay(actor, employee),
        # Recurring components whose end has not passed: the ones that can still be ended.
        "endable": {
            c.pk
            for c, _amount in components
            if c.recurring and (c.end_date is None or c.end_date >= today)
        },
    }


def _job_changes(previous: dict[str, Any], snapshot: dict[str, Any]) -> list[Change]:
    return [
        Change(EMPLOYEE_FIELDS[name].label, previous.get(name) or "", snapshot.get(name) or "")
        for name in JOB_FIELDS
        if (previous.get(name) or "") != (snapshot.get(name) or "")
    ]


def _custom_changes(actor: Actor, old: Any, new: Any) -> list[Change]:
    old, new = old or {}, new or {}
    labels = {d.key: d.label for d in _custom_definitions(actor)}
    return [
        Change(labels.get(key, key), _display(key, old.get(key)), _display(key, new.get(key)))
        for key in sorted(set(old) | set(new))
        if old.get(key) != new.get(key)
    ]


def _history_rows(actor: Actor, employee: Employee) -> list[VersionRow]:
    """Each version with the changes this viewer may see; a version with none is left out."""
    versions = selectors.history(actor, employee)
    visible = set(selectors.visible_fields(actor, employee))
    sees_wages = can_on(actor, "people.view_salary", employee)
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].snapshot if index + 1 < len(versions) else {}
        row = VersionRow(version)
        for name in sorted(version.changed_fields, key=lambda n: CHANGE_ORDER.get(n, 99)):
            spec = EMPLOYEE_FIELDS.get(name)
            if spec is not None:
                if name not in visible:
                    continue
                if spec.sensitive:
                    row.changes.append(Change(spec.label, masked=True))
                else:
                    old = version.old_values.get(name)
                    new = version.snapshot.get(name)
                    row.changes.append(Change(spec.label, _display(name, old), _display(name, new)))
            elif name == "custom_fields":
                row.changes.extend(
                    _custom_changes(
                        actor, version.old_values.get(name), version.snapshot.get("custom_fields")
                    )
                )
            elif name == "employment":
                row.changes.extend(
                    _job_changes(previous, version.snapshot) or [Change(_("Contract"), plain=True)]
                )
            elif name in ("wage", "wage_component") and sees_wages:
                label = _("Wage") if name == "wage" else _("Wage component")
                row.changes.append(Change(label, plain=True))
        if row.changes:
            rows.append(row)
    return rows


def _as_of(actor: Actor, employee: Employee, raw: str, *, reveal: bool) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return {"as_of_error": _("Enter a date as YYYY-MM-DD.")}
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
    values = selectors.as_of(actor, employee, moment, reveal=reveal)
    if values is None:
        return {"as_of": day, "as_of_values": None}
    meta = {"version": values.pop("version"), "changed_at": values.pop("changed_at")}
    return {
        "as_of": day,
        "as_of_meta": meta,
        "as_of_audited": reveal and any(values.get(n) for n in SEALED_SECRETS),
        "as_of_can_reveal": not reveal and any(values.get(n) for n in SEALED_SECRETS),
        "as_of_values": _profile_groups({k: v for k, v in values.items() if k in EMPLOYEE_FIELDS}),
    }


@never_cache
@member_required("people.view")
def employee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    sees_wages = can_on(actor, "people.view_salary", employee)
    tabs = {k: v for k, v in TABS.items() if k != "wages" or sees_wages}
    tab = request.GET.get("tab", "personal")
    if tab not in tabs:
        tab = "personal"
    context: dict[str, Any] = {
        "employee": employee,
        "tab": tab,
        "tabs": tabs,
        "can_edit": bool(services.editable_fields(actor, employee)),
    }
    if tab == "personal":
        context.update(_personal_context(request, actor, employee))
    elif tab == "job":
        context.update(_job_context(actor, employee))
    elif tab == "wages":
        context.update(_wages_context(actor, employee))
    elif tab == "history":
        context["versions"] = _history_rows(actor, employee)
        context.update(
            _as_of(
                actor,
                employee,
                request.GET.get("as_of", "").strip(),
                reveal=request.GET.get("reveal") == "1",
            )
        )
    return render(request, "people/hr/employee_detail.html", context)


# --- hiring and editing ---------------------------------------------------------------------


def _detail_url(employee: Employee, tab: str = "") -> str:
    url = reverse("people:detail", args=[employee.pk])
    return f"{url}?tab={tab}" if tab else url


@member_required("people.edit")
def employee_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if not _company_wide(actor, "people.edit"):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = EmployeeForm(
        data,
        names=[n for n in services.HIRE_FIELDS if can(actor, EMPLOYEE_FIELDS[n].permission)],
        custom_fields=_custom_definitions(actor),
        initial={"status": EmployeeStatus.ACTIVE},
    )
    employment = EmploymentForm(data, prefix="employment", tenant_id=actor.tenant.pk)  # type: ignore[union-attr]
    wage = WageForm(data, prefix="wage", hiring=True) if can(actor, "people.view_salary") else None
    parts = [form, employment, *([wage] if wage else [])]
    if data is not None and all([part.is_valid() for part in parts]):
        hire = form.service_data()
        hire["employment"] = employment.service_data()
        if wage is not None and not wage.is_empty():
            hire["wage"] = wage.service_data()
        try:
            employee = services.hire_employee(actor, actor.tenant, hire)  # type: ignore[arg-type]
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(
                error,
                form,
                {"employment": employment, "wage": wage} if wage else {"employment": employment},
            )
        else:
            messages.success(request, _("%(name)s was hired.") % {"name": employee.display_name})
            return redirect(_detail_url(employee))
    return render(
        request,
        "people/hr/employee_form.html",
        {"form": form, "employment_form": employment, "wage_form": wage, "employee": None},
    )


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


# --- contracts and wages --------------------------------------------------------------------


def _may_add_contract(actor: Actor, employee: Employee) -> bool:
    return can_on(actor, "people.edit", employee) and (
        not is_self(actor, employee) or _company_wide(actor, "people.edit")
    )


def _may_end_contract(actor: Actor, employee: Employee) -> bool:
    return can_on(actor, "people.edit", employee) and not is_self(actor, employee)


def _may_pay(actor: Actor, employee: Employee) -> bool:
    return _company_wide(actor, "people.edit", "people.view_salary") and can_on(
        actor, "people.view_salary", employee
    )


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
        tenant_id=employee.tenant_id,
        exclude=employee.pk,
    )
    if request.method == "POST" and form.is_valid():
        try:
            pay_and_contracts.add_employment(actor, employee, form.service_data())
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The contract was added."))
            return redirect(_detail_url(employee, "job"))
    return _small_form(request, employee, form, _("New contract"), _("Add contract"), back="job")


@member_required("people.view")
def employment_end(request: HttpRequest, pk: int, contract_pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    contract = get_object_or_404(
        Employment.objects.filter(tenant_id=employee.tenant_id, employee=employee), pk=contract_pk
    )
    if not _may_end_contract(actor, employee):
        raise PermissionDenied
    contract.employee = employee
    form = EndEmploymentForm(
        request.POST if request.method == "POST" else None,
        initial={"end_date": contract.end_date or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pay_and_contracts.end_employment(actor, contract, form.cleaned_data["end_date"])
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
            pay_and_contracts.set_wage(actor, employee, form.service_data())
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
            pay_and_contracts.add_wage_component(actor, employee, form.service_data())
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
    component = get_object_or_404(
        WageComponent.objects.filter(tenant_id=employee.tenant_id, employee=employee),
        pk=component_pk,
    )
    if not _may_pay(actor, employee):
        raise PermissionDenied
    component.employee = employee
    form = EndEmploymentForm(
        request.POST if request.method == "POST" else None,
        initial={"end_date": component.end_date or timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            pay_and_contracts.end_wage_component(actor, component, form.cleaned_data["end_date"])
        except pay_and_contracts.WageInForceError as error:
            form.add_error(None, str(error))
        except (ValidationError, PermissionDenied) as error:
            show_service_errors(error, form)
        else:
            messages.success(request, _("The component's end date was saved."))
            return redirect(_detail_url(employee, "wages"))
    return _small_form(
        request, employee, form, _("End a wage component"), _("Save end date"), back="wages"
    )
