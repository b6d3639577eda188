"""Choosing an employee by typing (the manager of a contract) instead of a drop-down of
everyone: a search box that asks `people:employee_search` (htmx) for matches, and a hidden
field with the chosen employee's id.

Without JavaScript the typed text itself is resolved when the form is posted: one match is
taken, none or several give an error naming them, so the form still works."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kluis.access.pickers import SearchPickerWidget
from kluis.people.models import Employee

MAX_MATCHES = 8


def employee_label(employee: Employee) -> str:
    return f"{employee.display_name} ({employee.employee_number})"


def search_employees(queryset: QuerySet[Employee], text: str) -> QuerySet[Employee]:
    """Employees whose number is `text`, or whose names hold every word of it."""
    text = text.strip()
    if not text:
        return queryset.none()
    words = Q()
    for word in text.replace("(", " ").replace(")", " ").split():
        words &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
            | Q(employee_number__iexact=word)
        )
    return queryset.filter(Q(employee_number__iexact=text) | words).order_by(
        "last_name", "first_name", "pk"
    )


class EmployeePickerWidget(SearchPickerWidget):
    """The manager picker: an id names an employee of `queryset`."""

    queryset: QuerySet[Employee] | None = None

    def test_ids(self, name: str) -> tuple[str, str]:
        return "employee-picker", ""

    def chosen(self, value: Any) -> tuple[str, str]:
        """(id, text in the box) for a bound dict, an Employee or an id."""
        if isinstance(value, dict):
            return str(value.get("id") or ""), str(value.get("q") or "")
        if isinstance(value, Employee):
            return str(value.pk), employee_label(value)
        if value in (None, "") or self.queryset is None:
            return "", ""
        found = self.queryset.filter(pk=value).first() if str(value).isdigit() else None
        return (str(found.pk), employee_label(found)) if found else ("", "")


class EmployeePickField(forms.ModelChoiceField):
    """An employee of `queryset`, chosen by id (from the search) or by the typed text."""

    widget = EmployeePickerWidget

    def __init__(self, *args: Any, search_url: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert isinstance(self.widget, EmployeePickerWidget)
        self.widget.search_url = search_url

    def _set_queryset(self, queryset: Any) -> None:
        forms.ModelChoiceField._set_queryset(self, queryset)  # type: ignore[attr-defined]
        self.widget.queryset = self._queryset  # type: ignore[attr-defined]

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)  # type: ignore[attr-defined]

    def label_from_instance(self, obj: Any) -> str:
        return employee_label(obj)

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, dict):
            return super().to_python(value)
        pk, text = str(value.get("id") or "").strip(), str(value.get("q") or "").strip()
        if pk:
            chosen = super().to_python(pk)
            if chosen is None or not text or text == employee_label(chosen):
                return chosen
        if not text:
            return None
        matches = list(search_employees(self.queryset, text)[: MAX_MATCHES + 1])
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise ValidationError(
                _("Nobody matches “%(text)s”. Type part of a name or an employee number.")
                % {"text": text}
            )
        names = ", ".join(employee_label(m) for m in matches[:MAX_MATCHES])
        raise ValidationError(
            _("Several people match “%(text)s”: %(names)s. Type more of the name or the number.")
            % {"text": text, "names": names}
        )

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            new = self.to_python(data)
        except ValidationError:
            return True
        old = initial.pk if isinstance(initial, Employee) else initial
        return str(getattr(new, "pk", "") or "") != str(old or "")
