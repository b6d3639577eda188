"""The leave request form (requesting, changing, previewing) and cancelling. The forms
only parse input; the services validate and decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.forms import add_service_errors
from kluis.people.models import Employee
from kluis.timeoff.dates import DateInput
from kluis.timeoff.models import DayPart, LeaveRequest, LeaveType

# A service's field names -> the form's.
SERVICE_FIELDS = {"start_part": "start_afternoon", "end_part": "end_morning"}


class EmployeeChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class LeaveRequestForm(forms.Form):
    """Leave type, first and last day (with half days), hours for a type counted in hours,
    a reason; for HR also whom it is for."""

    employee = EmployeeChoice(label=_("Employee"), queryset=Employee.objects.none(), required=False)
    leave_type = forms.ModelChoiceField(
        label=_("Leave type"), queryset=LeaveType.objects.none(), empty_label=None
    )
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Last day"),
        widget=DateInput(),
        required=False,
        help_text=_("Leave empty for a single day."),
    )
    start_afternoon = forms.BooleanField(
        label=_("The first day from the afternoon"), required=False
    )
    end_morning = forms.BooleanField(label=_("The last day until noon"), required=False)
    hours = forms.DecimalField(
        label=_("Hours"),
        required=False,
        min_value=0.25,
        max_value=24,
        decimal_places=2,
        help_text=_("Only for leave counted in hours, on a single day."),
    )
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(
        self,
        *args: Any,
        actor: Actor,
        employees: Any = None,
        changing: LeaveRequest | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.changing = changing
        types = LeaveType.objects.for_actor(actor).filter(is_active=True)
        if changing is not None:
            types = LeaveType.objects.for_actor(actor).filter(
                pk__in=[*types.values_list("pk", flat=True), changing.leave_type_id]
            )
        self.fields["leave_type"].queryset = types  # type: ignore[attr-defined]
        if employees is None or changing is not None:
            del self.fields["employee"]
        else:
            self.fields["employee"].queryset = employees  # type: ignore[attr-defined]
            self.fields["employee"].help_text = _("Request leave on someone's behalf.")
        if changing is None:
            del self.fields["version"]

    @classmethod
    def initial_of(cls, request: LeaveRequest) -> dict[str, Any]:
        return {
            "leave_type": request.leave_type_id,
            "start_date": request.start_date,
            "end_date": request.end_date,
            "start_afternoon": request.start_part == DayPart.AFTERNOON,
            "end_morning": request.end_part == DayPart.MORNING,
            "hours": request.requested_hours,
            "reason": request.reason,
            "version": request.version,
        }

    @property
    def picks_employee(self) -> bool:
        return "employee" in self.fields

    def chosen_employee(self) -> Employee | None:
        chosen: Employee | None = self.cleaned_data.get("employee")
        return chosen

    def service_data(self) -> dict[str, Any]:
        """The values as the leave services take them."""
        data = self.cleaned_data
        return {
            "leave_type": data["leave_type"],
            "start_date": data["start_date"],
            "end_date": data.get("end_date") or data["start_date"],
            "start_part": DayPart.AFTERNOON if data.get("start_afternoon") else DayPart.FULL,
            "end_part": DayPart.MORNING if data.get("end_morning") else DayPart.FULL,
            "hours": data.get("hours"),
            "reason": data.get("reason") or "",
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def add_errors(form: forms.Form, error: ValidationError | PermissionDenied) -> None:
    """A service's refusal on the form, per field where the form shows it (the request's
    parts on their check boxes): kluis.access.forms.add_service_errors."""
    add_service_errors(form, error, fields=SERVICE_FIELDS)
