"""The form for a new API key. It parses input; the service decides what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from kluis.access.permissions import API_SCOPES

SCOPE_LABELS = {
    "employees:read": _("Read employees (names, contact and job data)"),
    "employees:write": _("Hire and change employees"),
    "wages:read": _("Read wages"),
    "identity:read": _("Read national numbers and bank accounts"),
    "personal:read": _("Read private contact data, address and birth date"),
    "audit:read": _("Read the audit log"),
    "roles:read": _("Read roles and who holds them"),
    "webhooks:write": _("Manage webhook subscriptions and their deliveries"),
    "timeoff:read": _("Read leave requests, balances and who is absent when"),
    "timeoff:write": _("Request, approve and cancel leave; register absences; leave set-up"),
    "absence:read": _("Read the kind, reason and note of absences (each reading audited)"),
    "checklists:read": _("Read checklist templates, checklists and their tasks"),
    "checklists:write": _("Change checklist templates; start, cancel and complete checklists"),
    "offboardings:write": _("List, read and request offboardings"),
}


def scope_choices() -> list[tuple[str, Any]]:
    """Each scope with what it allows, in the reader's language (made lazily: a label
    fixed when the module loads would stay English)."""
    return [(s, format_lazy("{} \u2014 {}", s, SCOPE_LABELS[s])) for s in API_SCOPES]


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Payroll sync"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires after (days)"),
        min_value=1,
        max_value=3650,
        required=False,
        help_text=_("Leave empty for a key that does not expire."),
    )


class ApiClientForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("e.g. Payroll sync"))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=scope_choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the API key form on the same page has fields of the same names, and
        # a label must point at its own form's input.
        kwargs.setdefault("auto_id", "id_client_%s")
        super().__init__(*args, **kwargs)
