"""HR's forms on an employee's leave page: a balance correction, a Belgian holiday
certificate, Dutch statutory leave that could not be taken. They parse input only; the
services in kluis/timeoff/services/balances.py validate and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kluis.timeoff.dates import DateInput
from kluis.timeoff.forms.self_service import add_errors
from kluis.timeoff.models import LeaveType, Unit

UNITS = [("days", _("days")), ("hours", _("hours"))]


class HrForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def refused(self, error: ValidationError | PermissionDenied, renamed: dict[str, str]) -> None:
        """A service's refusal on the form, its field names as the form's."""
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            error = ValidationError(
                {renamed.get(name, name): messages for name, messages in error.error_dict.items()}
            )
        add_errors(self, error)


class CorrectionForm(HrForm):
    """A signed amount in days or hours, when, why, and optionally the tranche."""

    prefix = "correction"

    leave_type = forms.ModelChoiceField(
        label=_("Leave type"), queryset=LeaveType.objects.none(), empty_label=None
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=8,
        decimal_places=2,
        help_text=_("Positive adds to the balance, negative takes from it (e.g. -1.5)."),
    )
    unit = forms.ChoiceField(label=_("In"), choices=UNITS, initial="days")
    effective = forms.DateField(label=_("Effective on"), widget=DateInput())
    note = forms.CharField(
        label=_("Why"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept with the line and in the audit log."),
    )
    tranche = forms.CharField(
        label=_("Tranche (optional)"),
        required=False,
        max_length=30,
        help_text=_("Leave empty: added days belong to the year of the effective date."),
    )

    def __init__(self, *args: Any, types: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].queryset = types  # type: ignore[attr-defined]
        if not self.is_bound:
            self.initial.setdefault("effective", timezone.localdate())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        leave_type = data.get("leave_type")
        if leave_type is not None and data.get("unit") == "days" and leave_type.unit != Unit.DAYS:
            self.add_error("unit", _("This leave type counts hours."))
        return data

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            data["unit"]: data["amount"],
            "effective": data["effective"],
            "note": data["note"],
            "tranche": data.get("tranche") or "",
        }

    def refuse(self, error: ValidationError | PermissionDenied) -> None:
        self.refused(error, {"hours": "amount", "days": "amount"})


def last_year() -> int:
    return timezone.localdate().year - 1


class CertificateForm(HrForm):
    """A Belgian joiner's holiday certificate from their previous employer."""

    prefix = "certificate"

    year = forms.IntegerField(
        label=_("Year of service"),
        min_value=2000,
        max_value=2100,
        help_text=_("The year the certificate covers (its days are taken the year after)."),
    )
    days = forms.DecimalField(
        label=_("Days on the certificate"), min_value=0, max_digits=5, decimal_places=2
    )
    employer = forms.CharField(label=_("Previous employer (optional)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("year", last_year())

    def refuse(self, error: ValidationError | PermissionDenied) -> None:
        self.refused(error, {})


class NotTakeableForm(HrForm):
    """A Dutch statutory tranche that could not be taken (it then keeps 5 years)."""

    prefix = "not_takeable"

    tranche = forms.ChoiceField(label=_("Statutory days of"), choices=[])
    reason = forms.CharField(
        label=_("Why they could not be taken"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, tranches: list[tuple[LeaveType, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tranches = {f"{lt.pk}:{tranche}": (lt, tranche) for lt, tranche in tranches}
        self.fields["tranche"].choices = [  # type: ignore[attr-defined]
            (key, f"{lt.name}: {tranche.split('-')[0]}")
            for key, (lt, tranche) in self.tranches.items()
        ]

    def chosen(self) -> tuple[LeaveType, str]:
        return self.tranches[self.cleaned_data["tranche"]]

    def refuse(self, error: ValidationError | PermissionDenied) -> None:
        self.refused(error, {"leave_type": "tranche", "effective": "tranche"})
