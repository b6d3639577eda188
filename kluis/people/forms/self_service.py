"""Self-service forms: an employee's own contact details, bank account and emergency
contacts. They only parse input; the People services validate and decide what is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from kluis.access.forms import add_service_errors
from kluis.people.fields import ADDRESS_PARTS, EMPLOYEE_FIELDS
from kluis.people.validation import COUNTRIES

# What My profile's edit form may show, in this order; the bank account has its own page
# (it asks for the password) and emergency contacts have their own forms.
PROFILE_FIELDS = ["preferred_name", "work_phone", "private_email", "private_phone", "address"]
ADDRESS_LABELS = {
    "street": _("Street"),
    "number": _("Number"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
}
AUTOCOMPLETE = {
    "preferred_name": "nickname",
    "private_email": "email",
    "private_phone": "tel",
    "work_phone": "tel",
    "street": "address-line1",
    "number": "address-line2",
    "postal_code": "postal-code",
    "city": "address-level2",
    "country": "country",
}


def address_field_name(part: str) -> str:
    return f"address_{part}"


class VersionedForm(forms.Form):
    """Carries the version the person loaded, so a save over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class MyProfileForm(VersionedForm):
    """Only the fields the company lets this employee change about themselves."""

    def __init__(self, *args: Any, editable: Iterable[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = set(editable)
        self.editable = [name for name in PROFILE_FIELDS if name in allowed]
        for name in self.editable:
            if name == "address":
                continue
            spec = EMPLOYEE_FIELDS[name]
            widget: forms.Widget
            if spec.kind == "email":
                widget = forms.EmailInput()
            elif spec.kind == "phone":
                widget = forms.TextInput(attrs={"type": "tel", "inputmode": "tel"})
            else:
                widget = forms.TextInput()
            widget.attrs["autocomplete"] = AUTOCOMPLETE.get(name, "on")
            self.fields[name] = forms.CharField(
                label=str(spec.label), required=False, max_length=254, widget=widget
            )
        if "address" in self.editable:
            for part in ADDRESS_PARTS:
                field: forms.Field
                if part == "country":
                    field = forms.ChoiceField(
                        label=ADDRESS_LABELS[part],
                        required=False,
                        choices=[("", "—"), *sorted(COUNTRIES.items(), key=lambda c: c[1])],
                    )
                else:
                    field = forms.CharField(label=ADDRESS_LABELS[part], required=False)
                field.widget.attrs["autocomplete"] = AUTOCOMPLETE[part]
                if part in ("number", "postal_code"):
                    field.widget.attrs["inputmode"] = "text"
                self.fields[address_field_name(part)] = field

    @staticmethod
    def initial_from(values: dict[str, Any], version: int) -> dict[str, Any]:
        initial: dict[str, Any] = {"version": version}
        for name in PROFILE_FIELDS:
            if name == "address":
                address = values.get("address") or {}
                for part in ADDRESS_PARTS:
                    initial[address_field_name(part)] = address.get(part, "")
            else:
                initial[name] = values.get(name, "")
        return initial

    def simple_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.editable if name != "address"]

    def address_fields(self) -> list[forms.BoundField]:
        if "address" not in self.editable:
            return []
        return [self[address_field_name(part)] for part in ADDRESS_PARTS]

    def changes(self) -> dict[str, Any]:
        """The values for `update_employee` (the service normalises and validates them)."""
        data: dict[str, Any] = {}
        for name in self.editable:
            if name == "address":
                data["address"] = {
                    part: self.cleaned_data.get(address_field_name(part), "")
                    for part in ADDRESS_PARTS
                }
            else:
                data[name] = self.cleaned_data.get(name, "")
        return data


class BankAccountForm(VersionedForm):
    iban = forms.CharField(
        label=_("New bank account (IBAN)"),
        max_length=50,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_(
            "We ask for it again because a changed bank account decides where your pay goes."
        ),
    )


class EmergencyContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    relationship = forms.CharField(
        label=_("Relationship"),
        max_length=60,
        required=False,
        help_text=_("For example partner, parent or friend."),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """A service's refusal on the form, per field where the form shows that field (the
    address's errors go to its first part): kluis.access.forms.add_service_errors."""
    add_service_errors(form, error, fields={"address": address_field_name("street")})
