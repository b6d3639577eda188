"""The operator page's form: one rule (flag, on/off/clear, whom it is for)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kluis.access.permissions import BUILTIN_ROLES
from kluis.flags.registry import declared
from kluis.flags.rules import Target
from kluis.flags.services import FlagRuleError, target_for

KIND_CHOICES = [
    ("everyone", _("Everyone")),
    ("company", _("Company (slug)")),
    ("user", _("User (e-mail address)")),
    ("role", _("Role")),
    ("percent", _("Percentage of companies")),
]
STATE_CHOICES = [("on", _("On")), ("off", _("Off")), ("clear", _("Remove rule"))]


class RuleForm(forms.Form):
    flag = forms.ChoiceField(label=_("Flag"), choices=())
    state = forms.ChoiceField(label=_("Set"), choices=STATE_CHOICES)
    kind = forms.ChoiceField(label=_("For"), choices=KIND_CHOICES)
    value = forms.CharField(
        label=_("Company, user, role or percentage"), required=False, max_length=254
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        flag = self.fields["flag"]
        assert isinstance(flag, forms.ChoiceField)
        flag.choices = [(d.name, d.name) for d in declared()]
        roles = ", ".join(sorted(BUILTIN_ROLES))
        self.fields["value"].help_text = _("A role is one of: %(roles)s.") % {"roles": roles}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, value = data.get("kind"), (data.get("value") or "").strip()
        if kind is None:
            return data
        if kind != "everyone" and not value:
            raise forms.ValidationError(_("Say which company, user, role or percentage."))
        try:
            data["target"] = target_for(
                everyone=kind == "everyone", **({kind: value} if kind != "everyone" else {})
            )
        except FlagRuleError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    @property
    def target(self) -> Target:
        target: Target = self.cleaned_data["target"]
        return target
