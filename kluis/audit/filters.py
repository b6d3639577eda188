"""The audit log's filters, shared by the list and the exports so both show the same rows:
the person an event is about and who did it (pickers that search as one types and filter
by the chosen id, or by the typed name without JavaScript: kluis/audit/pickers.py), the
kind of event, a period; and for the precise, the action, object type and id. Applied to
the events this reader may see (kluis.audit.policy)."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.audit import subjects
from kluis.audit.models import AuditEvent
from kluis.audit.object_types import object_type_label
from kluis.audit.pickers import PersonFilter, configure
from kluis.audit.policy import KINDS, readable_kinds
from kluis.audit.selectors import actions_in, events_for, object_types_in
from kluis.audit.sentences import action_choices, actions_of_kind

Picked = tuple[int | None, str]  # a picker's (chosen id, typed text)

# The filters shown first; the others sit under "More filters".
MAIN = ("person", "actor", "kind", "date_from", "date_to")


class DateInput(forms.DateInput):
    input_type = "date"


class AuditFilterForm(forms.Form):
    """The filter's form: a period must not end before it starts (it used to show
    "0 events" without a word)."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The To date is before the From date: choose a later day."))
        return data


class AuditEventFilter(django_filters.FilterSet):
    # Each field has one short hint: the pickers' own (under the search box), the others'
    # help text, shown the same way (kluis/audit/templates/audit/event_list.html).
    person = PersonFilter(method="filter_person", label=_("Person"))
    actor = PersonFilter(method="filter_actor", label=_("Done by"))
    kind = django_filters.ChoiceFilter(
        method="filter_kind",
        label=_("Kind"),
        empty_label=_("Any kind"),
        help_text=_("The area of the event"),
    )
    date_from = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__gte",
        label=_("From"),
        widget=DateInput(format="%Y-%m-%d"),
        help_text=_("The first day"),
    )
    date_to = django_filters.DateFilter(
        field_name="occurred_at",
        lookup_expr="date__lte",
        label=_("To"),
        widget=DateInput(format="%Y-%m-%d"),
        help_text=_("The last day, included"),
    )
    action = django_filters.ChoiceFilter(
        label=_("Action"), empty_label=_("Any action"), help_text=_("What happened")
    )
    object_type = django_filters.ChoiceFilter(
        label=_("Object type"), empty_label=_("Any type"), help_text=_("What it happened to")
    )
    object_id = django_filters.CharFilter(
        field_name="object_id",
        label=_("Object id"),
        help_text=_("The number of that object, as on an event's page"),
    )

    class Meta:
        model = AuditEvent
        form = AuditFilterForm
        fields = [
            "person",
            "actor",
            "kind",
            "date_from",
            "date_to",
            "action",
            "object_type",
            "object_id",
        ]

    def __init__(self, data: Any = None, *, actor: Actor, **kwargs: Any) -> None:
        super().__init__(data, queryset=events_for(actor), **kwargs)
        self.viewer = actor
        self.filters["kind"].extra["choices"] = [
            (name, KINDS[name].label) for name in readable_kinds(actor)
        ]
        # Readable names; the values stay the codes, so links and exports keep working.
        self.filters["action"].extra["choices"] = action_choices(actions_in(actor))
        self.filters["object_type"].extra["choices"] = sorted(
            ((t, object_type_label(t)) for t in object_types_in(actor)), key=lambda c: c[1]
        )
        self.form.label_suffix = ""
        for name in ("person", "actor"):
            configure(self.form, name, actor, reverse("audit:person_search"))

    def _known(self, pk: int) -> list[int]:
        """The chosen employee, if they are of the reader's company (else no one)."""
        return list(subjects.labels_of(self.viewer, [pk]))

    def filter_person(self, queryset: QuerySet[AuditEvent], name: str, value: Picked) -> Any:
        pk, text = value
        ids = self._known(pk) if pk is not None else subjects.people_matching(self.viewer, text)
        return queryset.filter(subjects.about(self.viewer, ids))

    def filter_actor(self, queryset: QuerySet[AuditEvent], name: str, value: Picked) -> Any:
        pk, text = value
        if pk is not None:
            return queryset.filter(
                actor_user_id__in=subjects.actor_user_ids(self.viewer, self._known(pk))
            )
        accounts = subjects.actor_user_ids(self.viewer, subjects.people_matching(self.viewer, text))
        return queryset.filter(Q(actor_label__icontains=text) | Q(actor_user_id__in=accounts))

    def filter_kind(self, queryset: QuerySet[AuditEvent], name: str, value: str) -> Any:
        return queryset.filter(action__in=actions_of_kind(value))

    @property
    def qs(self) -> QuerySet[AuditEvent]:
        """Strict: an invalid filter shows nothing rather than silently ignoring a field."""
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs

    def main_fields(self) -> list[Any]:
        return [self.form[name] for name in MAIN]

    def more_fields(self) -> list[Any]:
        return [self.form[name] for name in self.form.fields if name not in MAIN]

    def more_applied(self) -> bool:
        return any(self.data.get(name) for name in self.form.fields if name not in MAIN)

    def applied(self) -> dict[str, str]:
        """The filter as given, for the export's audit event and file (valid filters only)."""
        if not self.is_bound or not self.is_valid():
            return {}
        out: dict[str, str] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, ""):
                continue
            if isinstance(value, tuple):  # a picker: the chosen id, else the typed text
                out[name] = str(value[0]) if value[0] is not None else value[1]
            else:
                out[name] = value.isoformat() if isinstance(value, date) else str(value)
        return out
