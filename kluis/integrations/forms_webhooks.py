"""Forms of the webhook pages. They parse input; the services decide what is allowed (the
URL's scheme and address, the event names, who may)."""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks import catalogue
from kluis.integrations.webhooks.models import WebhookSubscription

# The headings of the event groups, in the order shown; an entity not named here comes
# last under its own name.
ENTITY_LABELS: dict[str, str | Promise] = {
    "employee": _("Employees"),
    "employment": _("Contracts"),
    "wage": _("Wages"),
    "wage_component": _("Wage components"),
    "emergency_contact": _("Emergency contacts"),
    "department": _("Departments"),
    "team": _("Teams"),
    "custom_field": _("Custom fields"),
    "people_settings": _("People settings"),
    "member": _("Members"),
    "role": _("Roles"),
    "webhook": _("Webhooks"),
}


def entity_label(entity: str) -> str | Promise:
    return ENTITY_LABELS.get(entity, entity.replace("_", " ").capitalize())


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=_("Target URL"),
        max_length=2000,
        help_text=_("Where Kluis sends the events, e.g. https://example.com/hooks/kluis"),
        widget=forms.URLInput(attrs={"autocomplete": "off", "inputmode": "url"}),
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("e.g. Payroll sync"),
    )
    all_events = forms.BooleanField(
        label=_("All events"),
        required=False,
        help_text=_("Also the events that later versions of Kluis add."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    full_objects = forms.BooleanField(
        label=_("Send full objects"),
        required=False,
        help_text=_(
            "Each event carries the object as you may read it now, instead of only its id "
            "and the names of the fields that changed."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["event_types"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [
            (event.name, f"{event.name} — {event.summary}") for event in catalogue.event_types()
        ]

    @classmethod
    def for_subscription(cls, subscription: WebhookSubscription) -> SubscriptionForm:
        wildcard = catalogue.WILDCARD in subscription.event_types
        return cls(
            initial={
                "url": subscription.url,
                "description": subscription.description,
                "all_events": wildcard,
                "event_types": [] if wildcard else subscription.event_types,
                "full_objects": subscription.full_objects,
            }
        )

    def event_groups(self) -> list[tuple[str | Promise, list[BoundWidget]]]:
        """The event checkboxes grouped by the entity they are about."""
        order = list(ENTITY_LABELS)

        def entity(box: BoundWidget) -> str:
            return str(box.data["value"]).partition(".")[0]

        def rank(box: BoundWidget) -> tuple[int, str]:
            name = entity(box)
            return (order.index(name) if name in order else len(order), name)

        boxes = sorted(self["event_types"], key=rank)  # HR's own entities first
        return [(entity_label(name), list(group)) for name, group in groupby(boxes, key=entity)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("all_events"):
            cleaned["event_types"] = [catalogue.WILDCARD]
        elif not cleaned.get("event_types") and "event_types" not in self.errors:
            self.add_error("event_types", _("Choose at least one event, or All events."))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "url": data["url"],
            "description": data["description"],
            "event_types": list(data["event_types"]),
            "full_objects": bool(data["full_objects"]),
        }


class ReplaySinceForm(forms.Form):
    since = forms.DateTimeField(
        label=_("Replay everything since"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "Sends again every event since then that this webhook wants: those that "
            "failed and those it missed while it was off. Delivered ones are not sent again."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        an_hour_ago = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(hours=1)
        kwargs.setdefault("initial", {"since": an_hour_ago})
        super().__init__(*args, **kwargs)

    def clean_since(self) -> dt.datetime:
        since: dt.datetime = self.cleaned_data["since"]
        if since > timezone.now():
            raise forms.ValidationError(_("Choose a moment in the past."))
        return since
