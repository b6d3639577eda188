"""The owner's single sign-on form. The client secret is write-only: the form never shows
it, only whether one is set."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kluis.identity.sso.models import IdentityProvider, ProviderKind


class SsoForm(forms.Form):
    kind = forms.ChoiceField(label=_("Provider"), choices=ProviderKind.choices)
    directory = forms.CharField(
        label=_("Directory (tenant) ID or Google Workspace domain"),
        required=False,
        max_length=255,
        help_text=_(
            "Microsoft Entra ID: the directory (tenant) ID. Google Workspace: your domain. "
            "Leave empty for other providers."
        ),
    )
    issuer = forms.CharField(
        label=_("Issuer URL"),
        required=False,
        max_length=500,
        help_text=_(
            "Okta: your Okta URL (for example https://example.okta.com). Other providers: "
            "the issuer, whose /.well-known/openid-configuration Kluis reads."
        ),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=255)
    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        max_length=1000,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    domains = forms.CharField(
        label=_("E-mail domains"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "People whose address ends in one of these domains are sent to this provider "
            "when they sign in. One per line."
        ),
    )
    enabled = forms.BooleanField(label=_("Sign in through this provider"), required=False)
    allow_just_in_time = forms.BooleanField(
        label=_("Create an account at the first sign-in for addresses of these domains"),
        required=False,
        help_text=_("Such a member gets no role until someone grants one."),
    )
    password_sign_in_allowed = forms.BooleanField(
        label=_("Members may also sign in with a password"),
        required=False,
        initial=True,
        help_text=_(
            "When off, owners with two-factor authentication still can, in case the provider fails."
        ),
    )

    def __init__(self, *args: Any, provider: IdentityProvider | None = None, **kwargs: Any) -> None:
        if provider is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "kind": provider.kind,
                "directory": provider.directory,
                "issuer": provider.issuer,
                "client_id": provider.client_id,
                "domains": "\n".join(provider.domains.values_list("domain", flat=True)),
                "enabled": provider.enabled,
                "allow_just_in_time": provider.allow_just_in_time,
                "password_sign_in_allowed": provider.password_sign_in_allowed,
            }
        super().__init__(*args, **kwargs)
        secret = self.fields["client_secret"]
        if provider is not None and provider.client_secret_sealed:
            secret.help_text = _(
                "A secret is set. Leave empty to keep it; type a new one to replace it."
            )
        else:
            secret.required = True
