"""Template helpers every page shares: the error summary of a form (the GOV.UK pattern) and
one way to show a date, a moment and a phone number.

    {% load kluis_ui %}
    {% error_summary form employment_form %}   {# above the fields, inside the <form> #}
    {{ employee.birth_date|kluis_date }}        {# 29 March 1975 / 29 maart 1975 / 29 mars 1975 #}
    {{ key.created_at|kluis_datetime }}
    {{ employee.work_phone|kluis_phone }}       {# +32 474 56 73 36 #}

Dates follow the active language's DATE_FORMAT (kluis/formats/<language>/formats.py)."""

from __future__ import annotations

import datetime as dt
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


register.filter("kluis_phone", format_phone)  # the one rule, shared with People's views
