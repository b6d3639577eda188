"""Template helpers every page shares: the error summary of a form (the GOV.UK pattern) and
one way to show a date, a moment and a phone number.

    {% load kluis_ui %}
    {% error_summary form employment_form %}   {# above the fields, inside the <form> #}
    {{ employee.birth_date|kluis_date }}        {# 29 March 1975 / 29 maart 1975 / 29 mars 1975 #}
    {{ key.created_at|kluis_datetime }}         {# 25 September 2025, 14:05 #}
    {{ month|kluis_month }}                     {# March 2026 / maart 2026 / mars 2026 #}
    {{ change.new|kluis_value }}                {# a stored ISO day or moment shown as above #}
    {{ employee.work_phone|kluis_phone }}       {# +32 474 56 73 36 #}

Dates follow the active language's DATE_FORMAT, DATETIME_FORMAT and YEAR_MONTH_FORMAT
(kluis/formats/<language>/formats.py). A template writes `|date:"..."` only for machines
(a <time> element's `datetime`, a form value, a link's query): tests/web/test_template_dates.py."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms, template
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils import formats, timezone

from kluis.people.views.display import format_phone

register = template.Library()


@register.inclusion_tag("web/includes/form_errors.html")
def error_summary(*forms_: forms.BaseForm | None) -> dict[str, Any]:
    """Every error of the given forms, each field's linked to its input (`#id_...`)."""
    general: list[str] = []
    fields: list[dict[str, str]] = []
    for form in forms_:
        if form is None or not form.is_bound or not form.errors:
            continue
        general.extend(str(message) for message in form.non_field_errors())
        for name, messages in form.errors.items():
            if name == NON_FIELD_ERRORS or name not in form.fields:
                continue
            bound = form[name]
            if bound.is_hidden:
                general.extend(str(message) for message in messages)
                continue
            for message in messages:
                fields.append(
                    {
                        "id": bound.id_for_label or bound.auto_id,
                        "label": str(bound.label),
                        "message": str(message),
                    }
                )
    return {"general": general, "fields": fields, "any": bool(general or fields)}


def _as_date(value: Any) -> dt.date | dt.datetime | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return (
                dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
            )
        except ValueError:
            return None
    return None


@register.filter
def kluis_date(value: Any) -> str:
    """A day in the active language's one date format; a moment shows its local day."""
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return formats.date_format(day, "DATE_FORMAT")


@register.filter
def kluis_datetime(value: Any) -> str:
    """A moment in local time, in the active language's one date-and-time format."""
    moment = _as_date(value)
    if moment is None:
        return "" if value in (None, "") else str(value)
    if not isinstance(moment, dt.datetime):
        return formats.date_format(moment, "DATE_FORMAT")
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


@register.filter
def kluis_month(value: Any) -> str:
    """A month ("March 2026"), from a day, a moment or "2026-03", in the one format."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        value = f"{value}-01"
    day = _as_date(value)
    if day is None:
        return "" if value in (None, "") else str(value)
    if isinstance(day, dt.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return formats.date_format(day, "YEAR_MONTH_FORMAT")


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
ISO_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?"
)


@register.filter
def kluis_value(value: Any) -> Any:
    """A stored value as people read it (the audit log keeps days and moments as ISO
    text): an ISO day or moment in the one format, any other value as it is."""
    if isinstance(value, dt.datetime):
        return kluis_datetime(value)
    if isinstance(value, dt.date):
        return kluis_date(value)
    if isinstance(value, str):
        if ISO_DAY.fullmatch(value):
            return kluis_date(value)
        if ISO_MOMENT.fullmatch(value):
            try:
                return kluis_datetime(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
    return value


register.filter("kluis_phone", format_phone)  # the one rule, shared with People's views
