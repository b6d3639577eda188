"""The Sign-in settings form. It parses input; kluis.identity.policy_service decides."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kluis.access.forms import RoleMultipleChoiceField
from kluis.access.models import Role
from kluis.identity import policy as policies
from kluis.identity.models import SignInPolicy


class SignInPolicyForm(forms.Form):
    mfa_required_for = forms.ChoiceField(
        label=_("Who must use a second factor"),
        choices=SignInPolicy.Mfa.choices,
        widget=forms.RadioSelect,
    )
    mfa_roles = RoleMultipleChoiceField(
        label=_("Roles that must use a second factor"),
        queryset=Role.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Used when a second factor is required of people with the chosen roles."),
    )
    idle_timeout_minutes = forms.IntegerField(
        label=_("Sign out after this many minutes without activity"),
        min_value=policies.IDLE_MIN // 60,
        max_value=policies.IDLE_MAX // 60,
        help_text=_("Between 5 minutes and 24 hours (1440 minutes)."),
    )
    absolute_lifetime_hours = forms.IntegerField(
        label=_("Sign out after this many hours, however active"),
        min_value=policies.ABSOLUTE_MIN // 3600,
        max_value=policies.ABSOLUTE_MAX // 3600,
        help_text=_("Between 1 and 24 hours."),
    )
    allowed_networks = forms.CharField(
        label=_("Office addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=_(
            "One IP address or network per line (for example 203.0.113.7 or 203.0.113.0/24). "
            "Failed sign-ins from these addresses are not counted against the address, so an "
            "office behind one address is not slowed down by someone else's typing errors; "
            "each account is still blocked after too many failures."
        ),
    )
    password_sign_in_allowed = forms.BooleanField(
        label=_("Allow signing in with a password"),
        required=False,
        help_text=_(
            "Turn off when everyone signs in through the company's single sign-on. Owners "
            "with a second factor can always sign in with their password, in case the "
            "sign-on provider is unavailable."
        ),
    )

    def __init__(self, *args: Any, roles: QuerySet[Role], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["mfa_roles"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = roles

    @classmethod
    def initial_of(cls, policy: policies.Policy) -> dict[str, Any]:
        return {
            "mfa_required_for": policy.mfa_required_for,
            "mfa_roles": sorted(policy.mfa_role_ids),
            "idle_timeout_minutes": policy.idle_timeout_seconds // 60,
            "absolute_lifetime_hours": policy.absolute_lifetime_seconds // 3600,
            "allowed_networks": "\n".join(policy.allowed_networks),
            "password_sign_in_allowed": policy.password_sign_in_allowed,
        }

    def service_arguments(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "mfa_required_for": data["mfa_required_for"],
            "mfa_roles": list(data["mfa_roles"]),
            "idle_timeout_seconds": data["idle_timeout_minutes"] * 60,
            "absolute_lifetime_seconds": data["absolute_lifetime_hours"] * 3600,
            "allowed_networks": str(data.get("allowed_networks") or "").splitlines(),
            "password_sign_in_allowed": bool(data.get("password_sign_in_allowed")),
        }

    # The service's field names that this form shows under another name
    # (kluis.access.forms.add_service_errors(form, error, fields=SERVICE_FIELDS)).
    SERVICE_FIELDS: ClassVar[dict[str, str]] = {
        "idle_timeout_seconds": "idle_timeout_minutes",
        "absolute_lifetime_seconds": "absolute_lifetime_hours",
    }
