"""Forms of the HR screens. They parse and render; `kluis.people.services` validates, so the
fields are lenient here and the services' field-level errors are shown on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.people.fields import ADDRESS_PARTS, EMPLOYEE_FIELDS, PROBATION_LABEL
from kluis.people.forms.pickers import EmployeePickerWidget, EmployeePickField
from kluis.people.models import (
    ContractType,
    CustomFieldDefinition,
    Department,
    Employee,
    EmployeeStatus,
    Gender,
    Team,
    WageComponent,
    WagePeriod,
)
from kluis.people.validation import COUNTRIES, CURRENCIES, birth_date_bounds

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from kluis.access.actor import Actor

CUSTOM_PREFIX = "cf_"
ADDRESS_LABELS: dict[str, StrOrPromise] = {
    "street": _("Street"),
    "number": _("Number"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
}
GROUP_LEGENDS: dict[str, Promise] = {
    "basic": _("Name and work contact"),
    "personal": _("Personal"),
    "address": _("Home address"),
    "identity": _("Identity"),
    "bank": _("Bank"),
    "custom": _("More"),
}
SEALED_SECRETS = ("national_id", "iban")  # never pre-filled: shown only through "Show"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


def _country_choices() -> list[tuple[str, StrOrPromise]]:
    return [("", "—"), *sorted(COUNTRIES.items(), key=lambda item: item[1])]


def _required(field: forms.Field) -> forms.Field:
    """Marked required for browsers and assistive technology (`required`); the service is
    what enforces it, so the field itself stays lenient and the form posts `novalidate`."""
    field.widget.attrs["required"] = True
    return field


class PeopleForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# --- the employee's own fields ------------------------------------------------------------


def _employee_field(name: str) -> forms.Field:
    spec = EMPLOYEE_FIELDS[name]
    label: StrOrPromise = spec.label  # type: ignore[assignment]
    if name == "status":
        return forms.ChoiceField(label=label, choices=EmployeeStatus.choices)
    if name == "gender":
        return forms.ChoiceField(label=label, choices=Gender.choices, required=False)
    if spec.kind == "country":
        return forms.ChoiceField(label=label, choices=_country_choices(), required=False)
    if spec.kind == "email":
        return forms.CharField(
            label=label, required=False, widget=forms.EmailInput(attrs={"autocomplete": "off"})
        )
    if spec.kind == "phone":
        return forms.CharField(
            label=label,
            required=False,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
        )
    if spec.kind == "date":  # the birth date: the browser's picker offers the allowed days
        first, last = birth_date_bounds()
        return forms.CharField(
            label=label,
            required=False,
            widget=DateInput(attrs={"min": first.isoformat(), "max": last.isoformat()}),
        )
    field = forms.CharField(
        label=label, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    if name in ("first_name", "last_name"):
        _required(field)
    return field


def _custom_field(definition: CustomFieldDefinition) -> forms.Field:
    kind = definition.field_type
    label: StrOrPromise = definition.label
    field: forms.Field
    if kind == CustomFieldDefinition.FieldType.BOOLEAN:
        return forms.BooleanField(label=label, required=False)
    if kind == CustomFieldDefinition.FieldType.CHOICE:
        field = forms.ChoiceField(
            label=label, required=False, choices=[("", "—"), *[(c, c) for c in definition.choices]]
        )
    elif kind == CustomFieldDefinition.FieldType.NUMBER:
        field = forms.CharField(
            label=label, required=False, widget=forms.NumberInput(attrs={"step": "any"})
        )
    elif kind == CustomFieldDefinition.FieldType.DATE:
        field = forms.CharField(label=label, required=False, widget=DateInput())
    else:
        field = forms.CharField(label=label, required=False, max_length=500)
    if definition.required:
        _required(field)
    return field


class EmployeeForm(PeopleForm):
    """The employee's own fields, limited to `names` (what the actor may set), plus the
    company's custom fields. On edit, sealed secrets start empty: empty keeps the value."""

    def __init__(
        self,
        *args: Any,
        names: Iterable[str],
        custom_fields: Iterable[CustomFieldDefinition] = (),
        editing: bool = False,
        secrets_set: Iterable[str] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)
        self.names = [name for name in EMPLOYEE_FIELDS if name in set(names)]
        self.custom_definitions = list(custom_fields)
        secrets_set = set(secrets_set)
        for name in self.names:
            if name == "address":
                for part in ADDRESS_PARTS:
                    self.fields[f"address_{part}"] = (
                        forms.ChoiceField(
                            label=ADDRESS_LABELS[part], choices=_country_choices(), required=False
                        )
                        if part == "country"
                        else forms.CharField(
                            label=ADDRESS_LABELS[part], required=False, max_length=120
                        )
                    )
                continue
            self.fields[name] = _employee_field(name)
            if name in SEALED_SECRETS and editing:
                self.fields[name].help_text = (
                    _("Set. Leave empty to keep it, or type a new one.")
                    if name in secrets_set
                    else _("Not set.")
                )
                if name in secrets_set:
                    self.fields[f"{name}_clear"] = forms.BooleanField(
                        label=_("Remove it"), required=False
                    )
        if "employee_number" in self.fields and not editing:
            self.fields["employee_number"].help_text = _("Leave empty to number automatically.")
        for definition in self.custom_definitions:
            self.fields[CUSTOM_PREFIX + definition.key] = _custom_field(definition)

    def groups(self) -> list[tuple[Promise, list[forms.BoundField]]]:
        """The fields in fieldsets, in the order of the field table."""
        out: dict[str, list[forms.BoundField]] = {}
        for name in self.names:
            group = EMPLOYEE_FIELDS[name].group
            if name == "address":
                out.setdefault("address", []).extend(
                    self[f"address_{part}"] for part in ADDRESS_PARTS
                )
                continue
            bucket = out.setdefault("basic" if group == "job" else group, [])
            bucket.append(self[name])
            if f"{name}_clear" in self.fields:
                bucket.append(self[f"{name}_clear"])
        if self.custom_definitions:
            out["custom"] = [self[CUSTOM_PREFIX + d.key] for d in self.custom_definitions]
        return [(GROUP_LEGENDS[key], out[key]) for key in GROUP_LEGENDS if key in out]

    def service_data(self, current_custom: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """What to hand to `hire_employee` / `update_employee`. On edit, an empty secret is
        left out (kept) and a custom field that stays empty is not sent (no empty change)."""
        data: dict[str, Any] = {}
        cleaned = self.cleaned_data
        for name in self.names:
            if name == "address":
                data["address"] = {part: cleaned[f"address_{part}"] for part in ADDRESS_PARTS}
                continue
            value = cleaned[name]
            if name in SEALED_SECRETS and self.editing:
                if cleaned.get(f"{name}_clear"):
                    data[name] = ""
                elif value:
                    data[name] = value
                continue
            data[name] = value
        custom: dict[str, Any] = {}
        for definition in self.custom_definitions:
            value = cleaned[CUSTOM_PREFIX + definition.key]
            if (
                current_custom is not None
                and value in ("", None, False)
                and current_custom.get(definition.key) in (None, "")
            ):
                continue
            custom[definition.key] = value
        if custom:
            data["custom_fields"] = custom
        return data

    @classmethod
    def initial_for(
        cls,
        values: Mapping[str, Any],
        address: Mapping[str, str],
        custom: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Initial values for editing from the profile (sealed secrets stay empty)."""
        initial = {k: v for k, v in values.items() if k not in (*SEALED_SECRETS, "address")}
        for part in ADDRESS_PARTS:
            initial[f"address_{part}"] = address.get(part, "")
        for key, value in custom.items():
            initial[CUSTOM_PREFIX + key] = value
        return initial


# --- contracts ----------------------------------------------------------------------------


class EmploymentForm(PeopleForm):
    contract_type = forms.ChoiceField(label=_("Contract type"), choices=ContractType.choices)
    job_title = _required(forms.CharField(label=_("Job title"), required=False, max_length=150))
    start_date = _required(
        forms.CharField(label=_("Start date"), required=False, widget=DateInput())
    )
    end_date = forms.CharField(
        label=_("End date"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty for an open-ended contract."),
    )
    probation_end_date = forms.CharField(
        label=PROBATION_LABEL,
        required=False,
        widget=DateInput(),
        help_text=_("The last day of the probation period; empty when there is none."),
    )
    hours_per_week = forms.CharField(
        label=_("Hours per week"),
        initial="38",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "80"}),
    )
    weekly_schedule = forms.CharField(
        label=_("Weekly schedule"),
        required=False,
        help_text=_("Hours per day, Monday to Sunday, e.g. 7.6,7.6,7.6,7.6,7.6,0,0."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=Department.objects.none(), required=False, empty_label="—"
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label="—"
    )
    manager = EmployeePickField(  # searched as one types: no drop-down of everyone
        label=_("Manager"), queryset=Employee.objects.none(), required=False
    )
    cost_centre = forms.CharField(label=_("Cost centre"), required=False, max_length=30)

    def __init__(self, *args: Any, actor: Actor, exclude: int | None = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        manager_field = self.fields["manager"]
        assert isinstance(manager_field.widget, EmployeePickerWidget)
        manager_field.widget.search_url = reverse("people:employee_search")
        # Archived departments and teams stay on past contracts, not offered for new ones.
        self._choices("department", Department.objects.for_actor(actor).filter(archived_at=None))
        self._choices("team", Team.objects.for_actor(actor).filter(archived_at=None))
        managers = (
            Employee.objects.for_actor(actor)
            .exclude(status=EmployeeStatus.LEFT)
            .only("pk", "first_name", "last_name", "preferred_name", "employee_number")
            .order_by("last_name", "first_name", "pk")
        )
        if exclude is not None:
            managers = managers.exclude(pk=exclude)
        self._choices("manager", managers)

    def _choices(self, name: str, queryset: Any) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = queryset

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class EndEmploymentForm(PeopleForm):
    end_date = _required(forms.CharField(label=_("Last day"), required=False, widget=DateInput()))


class ProbationForm(PeopleForm):
    probation_end_date = forms.CharField(
        label=PROBATION_LABEL,
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the contract has no probation period."),
    )

    def __init__(
        self, *args: Any, start: dt.date | None = None, end: dt.date | None = None, **kw: Any
    ) -> None:
        """`start`, `end`: the contract's; the browser's picker offers the days between
        them (the service is what refuses the others)."""
        super().__init__(*args, **kw)
        attrs = self.fields["probation_end_date"].widget.attrs
        if start is not None:
            attrs["min"] = start.isoformat()
        if end is not None:
            attrs["max"] = end.isoformat()


# --- wages --------------------------------------------------------------------------------


def _currency_choices() -> list[tuple[str, str]]:
    return [(c, c) for c in ["EUR", *sorted(CURRENCIES - {"EUR"})]]


class WageForm(PeopleForm):
    amount = forms.CharField(
        label=_("Gross amount"),
        required=False,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)
    period = forms.ChoiceField(label=_("Per"), choices=WagePeriod.choices, initial="month")
    effective_from = forms.CharField(label=_("From"), required=False, widget=DateInput())

    def __init__(self, *args: Any, hiring: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.hiring = hiring
        if hiring:  # the first wage starts with the first contract
            del self.fields["effective_from"]
            self.fields["amount"].help_text = _("Optional; you can set it later.")
        else:
            _required(self.fields["amount"])
            _required(self.fields["effective_from"])

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)

    def is_empty(self) -> bool:
        return not str(self.cleaned_data.get("amount") or "").strip()


class WageComponentForm(PeopleForm):
    kind = forms.ChoiceField(label=_("Kind"), choices=WageComponent.Kind.choices)
    label = forms.CharField(label=_("Label"), required=False, max_length=120)
    amount = _required(
        forms.CharField(
            label=_("Amount"),
            required=False,
            widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        )
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=_currency_choices)
    recurring = forms.BooleanField(
        label=_("Recurring"),
        required=False,
        initial=True,
        help_text=_("Untick for a one-off payment such as a bonus."),
    )
    period = forms.ChoiceField(label=_("Per"), choices=WagePeriod.choices, initial="month")
    start_date = _required(forms.CharField(label=_("From"), required=False, widget=DateInput()))
    end_date = forms.CharField(label=_("Until"), required=False, widget=DateInput())

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- service errors on forms --------------------------------------------------------------


def _field_for(form: forms.Form, key: str) -> str | None:
    if key in form.fields:
        return key
    if key == "address" and "address_street" in form.fields:
        return "address_street"
    if key.startswith("custom_fields.") and CUSTOM_PREFIX + key.split(".", 1)[1] in form.fields:
        return CUSTOM_PREFIX + key.split(".", 1)[1]
    return None


def show_service_errors(
    error: ValidationError | PermissionDenied,
    form: forms.Form,
    parts: Mapping[str, forms.Form] | None = None,
) -> None:
    """A service's refusal on the forms: `employment.start_date` on the `employment` part's
    start date, `custom_fields.x` on the custom field, the rest on `form` itself."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You do not have permission to do this."))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        target, field_key = form, key
        prefix, _dot, rest = key.partition(".")
        if rest and parts and prefix in parts:
            target, field_key = parts[prefix], rest
        field = _field_for(target, field_key)
        if field is None:
            label = EMPLOYEE_FIELDS[key].label if key in EMPLOYEE_FIELDS else key
            form.add_error(None, [f"{label}: {m}" for m in messages])
        else:
            target.add_error(field, messages)
