"""The hire form in sections (Person, Contact, Identity and bank, Job, Contract, Pay, More)
and the "Check and save" summary of what hiring will create. The fields come from the
three forms the hire view binds: the employee's own (EmployeeForm), the first contract
(EmploymentForm, prefix `employment`) and the first wage (WageForm, prefix `wage`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.people.fields import ADDRESS_PARTS
from kluis.people.forms.hr import CUSTOM_PREFIX, SEALED_SECRETS
from kluis.people.forms.pickers import employee_label
from kluis.people.models import Employee

# (key, title, [(form part, field name)]); a field the actor may not set is left out.
SECTIONS: list[tuple[str, Promise, list[tuple[str, str]]]] = [
    (
        "person",
        gettext_lazy("Person"),
        [
            ("employee", name)
            for name in (
                "first_name",
                "last_name",
                "preferred_name",
                "birth_date",
                "gender",
                "nationality",
                "employee_number",
                "status",
            )
        ],
    ),
    (
        "contact",
        gettext_lazy("Contact"),
        [
            *[
                ("employee", name)
                for name in ("work_email", "work_phone", "private_email", "private_phone")
            ],
            *[("employee", f"address_{part}") for part in ADDRESS_PARTS],
        ],
    ),
    (
        "identity",
        gettext_lazy("Identity and bank"),
        [("employee", "national_id"), ("employee", "iban")],
    ),
    (
        "job",
        gettext_lazy("Job"),
        [
            ("employment", name)
            for name in ("job_title", "department", "team", "manager", "cost_centre")
        ],
    ),
    (
        "contract",
        gettext_lazy("Contract"),
        [
            ("employment", name)
            for name in (
                "contract_type",
                "start_date",
                "end_date",
                "probation_end_date",
                "hours_per_week",
                "weekly_schedule",
            )
        ],
    ),
    ("pay", gettext_lazy("Pay"), [("wage", name) for name in ("amount", "currency", "period")]),
]


@dataclass
class Section:
    key: str
    title: Any
    fields: list[forms.BoundField] = field(default_factory=list)


@dataclass
class SummaryRow:
    label: Any
    value: str


def hire_sections(parts: dict[str, forms.Form | None]) -> list[Section]:
    """The bound fields of the three forms, section by section (empty sections left out)."""
    out: list[Section] = []
    for key, title, names in SECTIONS:
        section = Section(key, title)
        for part, name in names:
            form = parts.get(part)
            if form is not None and name in form.fields:
                section.fields.append(form[name])
                if f"{name}_clear" in form.fields:
                    section.fields.append(form[f"{name}_clear"])
        if section.fields:
            out.append(section)
    employee_form = parts["employee"]
    assert employee_form is not None
    custom = [employee_form[n] for n in employee_form.fields if n.startswith(CUSTOM_PREFIX)]
    if custom:
        out.append(Section("more", gettext_lazy("More"), custom))
    return out


def _shown(bound: forms.BoundField, value: Any) -> str:
    """A cleaned value as the summary shows it."""
    form_field = bound.field
    if value in (None, "", [], {}):
        return "—"
    if isinstance(form_field, forms.BooleanField):
        return _("Yes") if value else _("No")
    if isinstance(value, Employee):
        return employee_label(value)
    if isinstance(form_field, forms.ModelChoiceField):
        return str(value)
    if isinstance(form_field, forms.ChoiceField):
        return str(dict(form_field.choices).get(value, value))  # type: ignore[arg-type]
    if bound.name in SEALED_SECRETS:
        text = str(value).replace(" ", "")
        return "•••• " + text[-4:] if len(text) > 4 else "••••"
    if isinstance(form_field.widget, forms.DateInput):
        try:
            return formats.date_format(dt.date.fromisoformat(str(value)), "DATE_FORMAT")
        except ValueError:
            return str(value)
    return str(value)


def summary(sections: list[Section]) -> list[tuple[Any, list[SummaryRow]]]:
    """What hiring will create, section by section, from the (valid) forms."""
    out = []
    for section in sections:
        rows = []
        for bound in section.fields:
            value = bound.form.cleaned_data.get(bound.name)
            if isinstance(bound.field, forms.BooleanField) and bound.name.endswith("_clear"):
                continue
            rows.append(SummaryRow(bound.label, _shown(bound, value)))
        out.append((section.title, rows))
    return out
