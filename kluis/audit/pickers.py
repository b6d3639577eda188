"""The audit log's person and actor filters: a search box that asks `audit:person_search`
(htmx) for the company's employees as one types, and a hidden field with the chosen one's
id, the pattern of the people picker (kluis/people/forms/pickers.py) with the log's own
endpoints, which its readers may use without `people.view` (kluis/audit/views_pickers.py).

The filter then goes by the id; without JavaScript (or for an old link such as
`?person=Peeters`) the typed text searches by name as before. The names come from the
people app (kluis.audit.subjects.register_picker): the log sits below the HR file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import django_filters
from django import forms

from kluis.access.pickers import SearchPickerWidget
from kluis.audit import subjects

Labeler = Callable[[list[int]], dict[int, str]]
MAX_MATCHES = 8


class PersonPickerWidget(SearchPickerWidget):
    """The audit log's person filters: an id is named by `labeler` (the viewer's)."""

    labeler: Labeler | None = None

    def test_ids(self, name: str) -> tuple[str, str]:
        return f"person-picker-{name}", f"{name}-id"

    def chosen(self, value: Any) -> tuple[str, str]:
        """(id, text in the box): a known id shows its person's name."""
        pick = picked(value)
        if pick is None:
            return "", ""
        pk, text = pick
        if pk is None:
            return "", text
        known = self.labeler([pk]) if self.labeler is not None else {}
        return (str(pk), known[pk]) if pk in known else ("", text)


def picked(value: Any) -> tuple[int | None, str] | None:
    """(chosen id, typed text) from the widget's value; None when both are empty. An old
    link's `?person=Peeters` (text in the id's place) is the typed text."""
    if isinstance(value, dict):
        raw, text = str(value.get("id") or "").strip(), str(value.get("q") or "").strip()
    else:
        raw, text = str(value or "").strip(), ""
    if raw and not raw.isdigit():
        raw, text = "", text or raw
    if raw and len(raw) > 18:
        raw = "0"  # no such id (and no overflow in the query)
    if not raw and not text:
        return None
    return (int(raw) if raw else None), text[:100]


class PersonPickField(forms.Field):
    widget = PersonPickerWidget

    def to_python(self, value: Any) -> tuple[int | None, str] | None:
        return picked(value)


class PersonFilter(django_filters.Filter):
    field_class = PersonPickField


def configure(form: forms.Form, name: str, actor: Any, search_url: str) -> None:
    """Tell a picker of the filter's form where to search and how to name an id."""
    widget = form.fields[name].widget
    assert isinstance(widget, PersonPickerWidget)
    widget.search_url = search_url
    widget.labeler = lambda ids: subjects.labels_of(actor, ids)
