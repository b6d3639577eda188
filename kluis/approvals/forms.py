"""The two-person rule's forms: a rejection's reason and the company's choice."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kluis.approvals import registry


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it rejected?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": _("Say why the request is rejected.")},
    )


class PolicyForm(forms.Form):
    actions = forms.MultipleChoiceField(
        label=_("Actions that need a second person's approval"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    wage_change_percent = forms.IntegerField(
        label=_("A wage change needs approval above (percent)"), min_value=1, max_value=100
    )
    expiry_hours = forms.IntegerField(
        label=_("A request expires after (hours)"), min_value=1, max_value=720
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["actions"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(action.key, action.label) for action in registry.optional_actions()]
