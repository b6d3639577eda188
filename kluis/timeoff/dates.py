"""The days a leave request or a sick period may name: from 1 January 1900 up to about
two years ahead, the bounds the people forms use for a hire (kluis/people/validation.py).
The date inputs carry them as min/max; the services refuse a day outside them, naming
the field, before anything asks whether the person was employed then."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from kluis.people.validation import start_date_bounds as bounds  # the same days


def check_range(errors: dict[str, list[str]], start: Any, end: Any) -> None:
    """Add an error to `start_date` / `end_date` for a day outside the bounds."""
    first, last = bounds()
    values = {"first": first.isoformat(), "last": last.isoformat()}
    if isinstance(start, dt.date) and not first <= start <= last:
        errors["start_date"] = [_("Enter a first day between %(first)s and %(last)s.") % values]
    if isinstance(end, dt.date) and not first <= end <= last:
        errors["end_date"] = [_("Enter a last day between %(first)s and %(last)s.") % values]


class DateInput(forms.DateInput):
    """A browser date picker that offers only the allowed days."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        first, last = bounds()
        attrs = {"min": first.isoformat(), "max": last.isoformat(), **(attrs or {})}
        return super().get_context(name, value, attrs)
