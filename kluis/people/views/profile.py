"""The HR profile of one employee, with its tabs: personal data, job and contracts,
wages and the history (with "as of date")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.audit.services import MASK
from kluis.people import profile_panels, read_audit, selectors, services
from kluis.people.fields import EMPLOYEE_FIELDS, PROBATION_LABEL
from kluis.people.forms.hr import SEALED_SECRETS
from kluis.people.models import (
    Employee,
    EmployeeStatus,
    EmployeeVersion,
    Gender,
)
from kluis.people.permissions import can_on
from kluis.people.services import contracts as pay_and_contracts
from kluis.people.services.photos import may_change_photo
from kluis.people.validation import COUNTRIES
from kluis.people.views._common import (
    _actor,
    _address,
    _custom_definitions,
    _may_add_contract,
    _may_end_contract,
    _may_pay,
)
from kluis.people.views.account import account_context
from kluis.people.views.display import format_phone

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
        [
            *EMPLOYEE_FIELDS,
            "custom_fields",
            "employment",
            "probation_end_date",
            "wage",
            "wage_component",
        ]
    )
}


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


def display_value(name: str, value: Any) -> Any:
    """A stored value as a person reads it (on the profile, its history and the change
    feed): a choice by its label, a day in the one date format, a phone grouped."""
    if value in (None, ""):
        return ""
    if value == MASK:
        return value
    if name in EMPLOYEE_FIELDS and EMPLOYEE_FIELDS[name].kind == "date":
        return _display_day(value)
    if name == "status" and value in EmployeeStatus.values:
        return EmployeeStatus(value).label
    if name == "gender" and value in Gender.values:
        return Gender(value).label
    if name == "nationality":
        return COUNTRIES.get(str(value), value)
    if name in EMPLOYEE_FIELDS and EMPLOYEE_FIELDS[name].kind == "phone":
        return format_phone(str(value))  # grouped, as on My profile
    if name == "address" and isinstance(value, dict):
        street = " ".join(p for p in (value.get("street"), value.get("number")) if p)
        town = " ".join(p for p in (value.get("postal_code"), value.get("city")) if p)
        country = str(COUNTRIES.get(value.get("country") or "", value.get("country") or ""))
        return ", ".join(p for p in (street, town, country) if p)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return value


def _display_day(value: Any) -> str:
    """A stored ISO day in the reader's one date format (as `|kluis_date` shows it)."""
    if not value:
        return ""
    try:
        return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
    except ValueError:
        return str(value)


def _profile_groups(values: dict[str, Any]) -> list[tuple[Any, list[Row]]]:
    groups: dict[str, list[Row]] = {}
    for name, value in values.items():
        spec = EMPLOYEE_FIELDS[name]
        groups.setdefault(spec.group, []).append(
            Row(name, spec.label, display_value(name, value), masked=value == MASK)
        )
    return [(GROUP_TITLES[g], groups[g]) for g in GROUP_TITLES if g in groups]


def _custom_rows(actor: Actor, employee: Employee) -> list[Row]:
    return [
        Row(d.key, d.label, display_value(d.key, employee.custom_fields.get(d.key)))
        for d in _custom_definitions(actor, archived=True)
        if employee.custom_fields.get(d.key) not in (None, "")
    ]


def _personal_context(request: HttpRequest, actor: Actor, employee: Employee) -> dict[str, Any]:
    reveal = request.GET.get("reveal") == "1"
    values = selectors.profile(actor, employee, reveal=reveal)
    if "address" in values:
        values["address"] = _address(employee, values)
    contacts = (
        list(employee.emergency_contacts.all())
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
        employee.employments.select_related("department", "team", "manager").order_by("-start_date")
    )
    current = pay_and_contracts.current_employment(employee)
    return {
        "contracts": contracts,
        "current_contract_id": current.pk if current else None,
        "can_add_contract": _may_add_contract(actor, employee),
        "can_end_contract": _may_end_contract(actor, employee),
    }


def _wages_context(actor: Actor, employee: Employee) -> dict[str, Any]:
    with read_audit.one_read_event():  # the wages tab: one audit event
        wages = selectors.wages(actor, employee) or []
        components = selectors.wage_components(actor, employee) or []
    today = timezone.localdate()
    current = next((w for w in wages if w.effective_from <= today), None)
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
    labels = {d.key: d.label for d in _custom_definitions(actor, archived=True)}
    return [
        Change(
            labels.get(key, key), display_value(key, old.get(key)), display_value(key, new.get(key))
        )
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
                    row.changes.append(
                        Change(spec.label, display_value(name, old), display_value(name, new))
                    )
            elif name == "custom_fields":
                row.changes.extend(
                    _custom_changes(
                        actor, version.old_values.get(name), version.snapshot.get("custom_fields")
                    )
                )
            elif name == "probation_end_date":  # of the contract that changed
                row.changes.append(
                    Change(
                        PROBATION_LABEL,
                        _display_day(version.old_values.get(name)),
                        _display_day(version.snapshot.get(name)),
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
        **account_context(actor, employee),
        "panels": profile_panels.render_all(request, actor, employee),
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
