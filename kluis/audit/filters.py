"""The audit log's filters, shared by the list and the exports so both show the same rows."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.audit.selectors import actions_in, events_for, object_types_in


class DateInput(forms.DateInput):
    input_type = "date"


class AuditEventFilter(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_label", lookup_expr="icontains", label=_("Actor")
    )
    action = django_filters.ChoiceFilter(label=_("Action"), empty_label=_("Any action"))
    object_type = django_filters.ChoiceFilter(label=_("Object type"), empty_label=_("Any type"))
    object_id = django_filters.CharFilter(field_name="object_id", label=_("Object id"))
    date_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=DateInput(format="%Y-%m-%d"),
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label=_("To"),
        widget=DateInput(format="%Y-%m-%d"),
    )

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object_type", "object_id", "date_from", "date_to"]

    def __init__(self, data: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        super().__init__(data, queryset=events_for(actor), **kwargs)
        self.filters["action"].extra["choices"] = [(a, a) for a in actions_in(actor)]
        self.filters["object_type"].extra["choices"] = [(t, t) for t in object_types_in(actor)]
        self.form.label_suffix = ""

    @property
    def qs(self) -> QuerySet[AuditEvent]:
        """Strict: an invalid filter shows nothing rather than silently ignoring a field."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    def applied(self) -> dict[str, str]:
        """The filter as given, for the export's audit event and file (valid filters only)."""
        if not self.is_bound or not self.is_valid():
            return {}
        out: dict[str, str] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out
