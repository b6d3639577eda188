"""The filters of the report pages (period, department, year, leave type, horizon, as-of
day), read from the query string; the same values drive the page and its CSV export."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kluis.reports.tables import add_months


@dataclass(frozen=True)
class Filters:
    last_month: dt.date  # the first day of the last month counted
    months: int
    department: int | None
    on: dt.date
    horizon: int
    year: int
    leave_type: int | None

    def query(self, names: tuple[str, ...]) -> dict[str, str]:
        """The filters a report uses, as query parameters (for its CSV link)."""
        values = {
            "to": self.last_month.strftime("%Y-%m"),
            "months": str(self.months),
            "department": str(self.department or ""),
            "on": self.on.isoformat(),
            "horizon": str(self.horizon),
            "year": str(self.year),
            "leave_type": str(self.leave_type or ""),
        }
        return {name: values[name] for name in names if values[name]}


def defaults(today: dt.date | None = None) -> Filters:
    """The last 12 complete months, everyone, today, the next 12 months, this year."""
    today = today or timezone.localdate()
    return Filters(
        last_month=add_months(today.replace(day=1), -1),
        months=12,
        department=None,
        on=today,
        horizon=12,
        year=today.year,
        leave_type=None,
    )


class MonthField(forms.CharField):
    """A month as YYYY-MM (what `<input type="month">` sends), as its first day."""

    widget = forms.TextInput(attrs={"type": "month", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value: Any) -> dt.date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return dt.datetime.strptime(text, "%Y-%m").date().replace(day=1)
        except ValueError:
            raise forms.ValidationError(_("Enter a month as YYYY-MM.")) from None


class FilterForm(forms.Form):
    to = MonthField(label=_("Up to and including"), required=False)
    months = forms.TypedChoiceField(
        label=_("Period"),
        choices=[("12", _("12 months")), ("24", _("24 months"))],
        coerce=int,
        required=False,
    )
    department = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False)
    on = forms.DateField(
        label=_("As of"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    horizon = forms.TypedChoiceField(
        label=_("Ahead"),
        choices=[("3", _("3 months")), ("6", _("6 months")), ("12", _("12 months"))],
        coerce=int,
        required=False,
    )
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    leave_type = forms.TypedChoiceField(label=_("Leave type"), coerce=int, required=False)

    def __init__(
        self,
        data: Any,
        *,
        names: tuple[str, ...],
        departments: list[tuple[int, str]],
        leave_types: list[tuple[int, str]],
        today: dt.date,
    ) -> None:
        super().__init__(data)
        for name in list(self.fields):
            if name not in names:
                del self.fields[name]
        choices: dict[str, list[tuple[str, Any]]] = {
            "department": [("", _("All departments"))]
            + [(str(pk), name) for pk, name in departments],
            "leave_type": [(str(pk), name) for pk, name in leave_types],
            "year": [(str(y), str(y)) for y in range(today.year + 1, today.year - 6, -1)],
        }
        for name, options in choices.items():
            field = self.fields.get(name)
            if isinstance(field, forms.ChoiceField):
                field.choices = options

    def clean_to(self) -> dt.date | None:
        value = self.cleaned_data.get("to")
        if value is not None and not dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 1):
            raise forms.ValidationError(_("Choose a month between 1900 and 2200."))
        return value

    def clean_on(self) -> dt.date | None:
        value = self.cleaned_data.get("on")
        if value is not None and not dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 31):
            raise forms.ValidationError(_("Choose a day between 1900 and 2200."))
        return value

    def filters(self, base: Filters, leave_types: list[tuple[int, str]]) -> Filters:
        """The filters asked for, the defaults where a field was left empty."""
        data = self.cleaned_data
        leave_type = data.get("leave_type") or (leave_types[0][0] if leave_types else None)
        return Filters(
            last_month=data.get("to") or base.last_month,
            months=data.get("months") or base.months,
            department=data.get("department") or None,
            on=data.get("on") or base.on,
            horizon=data.get("horizon") or base.horizon,
            year=data.get("year") or base.year,
            leave_type=leave_type,
        )
