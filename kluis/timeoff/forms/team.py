"""Forms of the team area: a decision's comment, a sick period reported or changed. They
only parse input; the time off services validate and decide what is allowed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kluis.people.models import Employee
from kluis.timeoff.dates import DateInput
from kluis.timeoff.models import AbsenceKind


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.TextInput
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


def _name(employee: Employee) -> str:
    return employee.display_name


class SickForm(forms.Form):
    """Report a sick period: for oneself, or (HR) for anyone."""

    employee = forms.ModelChoiceField(label=_("Who"), queryset=Employee.objects.none())
    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices, initial="sickness")
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while you do not know when you are back."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Optional. Only you and HR can read it, never your manager or colleagues."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Only you and HR can read it."),
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["start_date"].initial = dt.date.today()
        field = self.fields["employee"]
        assert isinstance(field, forms.ModelChoiceField)
        if people is None:
            del self.fields["employee"]
        else:
            field.queryset = people
            field.label_from_instance = _name  # type: ignore[assignment,method-assign]


class AbsenceChangeForm(forms.Form):
    """Extend, shorten, close (an end date) or reopen (no end date) a sick period; the
    reason and note only for a reader allowed to see them."""

    kind = forms.ChoiceField(label=_("Kind"), choices=AbsenceKind.choices)
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(
        label=_("Last day"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: still absent."),
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, sees_details: bool, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        if not sees_details:
            for name in ("kind", "reason", "note"):
                del self.fields[name]
