"""Forms of HR's calendar set-up and the payroll export. They parse input; the services
(kluis/timeoff/services) decide what is allowed and validate again."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

import holidays as holiday_tables
from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from kluis.timeoff.calendar import COUNTRIES
from kluis.timeoff.models import Accrual, Approval, Category, ReasonVisibility, Rule, Unit

COUNTRY_NAMES = {
    "BE": _("Belgium"),
    "NL": _("The Netherlands"),
    "LU": _("Luxembourg"),
    "FR": _("France"),
    "DE": _("Germany"),
}


@lru_cache(maxsize=8)
def regions_of(country: str) -> tuple[tuple[str, str], ...]:
    """(code, label) of the regions the `holidays` package knows for a country, as the
    settings store them (upper case, at most 10 characters)."""
    try:
        table = holiday_tables.country_holidays(country)
    except NotImplementedError:
        return ()
    names: dict[str, str] = {}
    for alias, code in getattr(table, "subdivisions_aliases", {}).items():
        if len(alias) > 3 and code not in names:
            names[code] = alias
    out = []
    for code in table.subdivisions:
        stored = code.upper()
        if len(stored) > 10:
            continue
        try:
            holiday_tables.country_holidays(country, subdiv=stored, years=2026)
        except (NotImplementedError, KeyError):
            continue
        name = names.get(code)
        out.append((stored, f"{stored} - {name}" if name else stored))
    return tuple(out)


class SettingsForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[(code, COUNTRY_NAMES[code]) for code in COUNTRIES],
        help_text=_("Whose public holidays apply: they never count as leave."),
    )
    region = forms.ChoiceField(
        label=_("Region"),
        required=False,
        help_text=_("Some countries have regional public holidays (German states, ...)."),
    )
    warn_days_before_expiry = forms.IntegerField(
        label=_("Warn before days expire (days)"),
        min_value=7,
        max_value=365,
        help_text=_(
            "How long before a balance's days expire its employee is told (Dutch law "
            "requires a timely warning before statutory days can expire)."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        groups: list[tuple[str, Any]] = [("", _("The whole country"))]
        for code in COUNTRIES:
            regions = regions_of(code)
            if regions:
                groups.append((str(COUNTRY_NAMES[code]), list(regions)))
        self.fields["region"].choices = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        country, region = cleaned.get("country"), cleaned.get("region") or ""
        if country and region and region not in dict(regions_of(country)):
            self.add_error("region", _("Choose a region of the chosen country."))
        return cleaned


class LeaveTypeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.SlugField(
        label=_("Code"),
        max_length=40,
        help_text=_("Short and stable, for exports and the API: lowercase letters, digits, -."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    unit = forms.ChoiceField(
        label=_("Unit"),
        choices=Unit.choices,
        help_text=_(
            "Taken and shown in (half) days of the employee's schedule, or in hours. "
            "Balances are kept in hours either way."
        ),
    )
    rule = forms.ChoiceField(
        label=_("Entitlement rule"),
        choices=Rule.choices,
        help_text=_(
            "How the yearly entitlement is computed: none (not counted), a fixed number a "
            "year pro rata of the contract, or the Belgian or Dutch legal rule."
        ),
    )
    yearly_entitlement = forms.DecimalField(
        label=_("Yearly entitlement"),
        min_value=0,
        max_value=366,
        decimal_places=2,
        required=False,
        help_text=_("For a fixed rule: days (or hours) a full-time year gives."),
    )
    accrual = forms.ChoiceField(
        label=_("Accrual"),
        choices=Accrual.choices,
        help_text=_("All of the year's entitlement on 1 January, or a twelfth each month."),
    )
    carry_over_limit = forms.DecimalField(
        label=_("Carry-over limit"),
        min_value=0,
        max_value=366,
        decimal_places=2,
        required=False,
        help_text=_(
            "What is left at the end of a year moves to the next, up to this much (in the "
            "unit). Empty: everything; 0: nothing."
        ),
    )
    expires_after_months = forms.IntegerField(
        label=_("Expires after (months)"),
        min_value=0,
        max_value=120,
        required=False,
        help_text=_(
            "Months after the end of the year a year's days expire. Empty: they do not "
            "expire; 0: at the end of the year."
        ),
    )
    allow_negative = forms.BooleanField(
        label=_("Allow a negative balance"),
        required=False,
        help_text=_("Employees may take more than they have (the rest is owed)."),
    )
    approval = forms.ChoiceField(
        label=_("Approval"),
        choices=Approval.choices,
        help_text=_("Who approves a request: nobody, the manager, or the manager and then HR."),
    )
    reason_visible_to = forms.ChoiceField(
        label=_("Who sees the reason"),
        choices=ReasonVisibility.choices,
        help_text=_("The reason an employee gives: for the approvers too, or for HR only."),
    )
    colour = forms.RegexField(
        label=_("Colour"),
        regex=r"^#[0-9a-fA-F]{6}$",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text=_("How the type shows in calendars."),
    )
    position = forms.IntegerField(
        label=_("Position"),
        min_value=0,
        max_value=10000,
        help_text=_("Lower comes first in lists."),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("A type turned off can no longer be requested; its history stays."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("yearly_entitlement") is None:
            data["yearly_entitlement"] = 0
        return data


class ClosingDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("For example: Bridge day after Ascension.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def recent_months(today: dt.date | None = None, count: int = 12) -> list[dt.date]:
    """The first days of this month and the `count` - 1 before it, newest first."""
    today = today or timezone.localdate()
    index = today.year * 12 + today.month - 1
    return [dt.date((index - n) // 12, (index - n) % 12 + 1, 1) for n in range(count)]


class LockForm(forms.Form):
    month = forms.ChoiceField(label=_("Month"))
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        help_text=_("Kept in the audit log, for example: Payroll of the month sent."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [  # type: ignore[attr-defined]
            (month.strftime("%Y-%m"), date_format(month, "YEAR_MONTH_FORMAT"))
            for month in recent_months()
        ]


class UnlockForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


def last_month(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    last = today.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


class ExportForm(forms.Form):
    """The period (`from`, `to`: the names of the export URL's query) and the format."""

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("xlsx", _("Excel (XLSX)"))],
        initial="csv",
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        first, last = last_month()
        date_input = forms.DateInput(attrs={"type": "date"})
        self.fields = {
            "from": forms.DateField(label=_("From"), widget=date_input, initial=first),
            "to": forms.DateField(label=_("To"), widget=date_input, initial=last),
            **self.fields,
        }
