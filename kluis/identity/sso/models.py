"""A company's single sign-on (OpenID Connect) configuration and the e-mail domains that
route its people to it (home-realm discovery)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager

# The purpose the client secret is sealed for (kluis.crypto.vault): a token copied to
# another field or company does not open.
CLIENT_SECRET_PURPOSE = "identity.identityprovider.client_secret"  # noqa: S105


class ProviderKind(models.TextChoices):
    ENTRA = "entra", _("Microsoft Entra ID (Office 365, Azure AD)")
    GOOGLE = "google", _("Google Workspace")
    OKTA = "okta", _("Okta")
    OIDC = "oidc", _("Another OpenID Connect provider")


class IdentityProvider(models.Model):
    """One company's OpenID Connect provider. allauth sees it as a SocialApp of the
    `openid_connect` provider with the id `kluis-<pk>` (kluis/identity/sso/socialapps.py),
    so a person is linked to it by allauth's SocialAccount(provider=that id, uid=sub)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ProviderKind.choices)
    # The issuer as the discovery document names it; tokens must carry exactly this `iss`.
    issuer = models.URLField(max_length=500)
    # Entra ID: the directory (tenant) id; Google: the Workspace domain; else empty.
    directory = models.CharField(max_length=255, blank=True)
    client_id = models.CharField(max_length=255)
    client_secret_sealed = models.TextField()
    enabled = models.BooleanField(default=False)
    allow_just_in_time = models.BooleanField(default=False)
    password_sign_in_allowed = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["tenant"], name="identityprovider_one_per_company"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.issuer})"

    @property
    def provider_id(self) -> str:
        """allauth's provider id of this company's provider (SocialAccount.provider)."""
        return f"kluis-{self.pk}"


class SignInDomain(models.Model):
    """An e-mail domain whose people sign in through the company's provider. A domain
    belongs to one company at most, so the e-mail address names one provider."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)
    objects = TenantManager()

    class Meta:
        ordering: ClassVar[list[str]] = ["domain"]

    def __str__(self) -> str:
        return self.domain
