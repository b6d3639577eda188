"""Reads of single sign-on configuration. Home-realm discovery and the sign-in callback
run before anyone is signed in, so they look across companies by design: by the e-mail
domain typed (one company at most claims a domain) or by the provider id allauth names."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp

from kluis.identity.sso.models import IdentityProvider, ProviderKind, SignInDomain
from kluis.identity.sso.services import client_secret

PREFIX = "kluis-"


def domain_of(email: str) -> str:
    return email.strip().rpartition("@")[2].lower().rstrip(".")


def provider_for_email(email: str) -> IdentityProvider | None:
    """The enabled provider whose company claims the address's domain."""
    if "@" not in email:
        return None
    row = (
        SignInDomain.objects.filter(domain=domain_of(email), provider__enabled=True)
        .select_related("provider__tenant")
        .first()
    )
    return row.provider if row is not None and row.provider.tenant.is_active else None


def provider_by_id(provider_id: str) -> IdentityProvider | None:
    """The provider allauth calls `kluis-<pk>` (enabled or not)."""
    if not provider_id.startswith(PREFIX) or not provider_id[len(PREFIX) :].isdigit():
        return None
    return (
        IdentityProvider.objects.select_related("tenant")
        .filter(pk=int(provider_id[len(PREFIX) :]))
        .first()
    )


def domains_of(provider: IdentityProvider) -> list[str]:
    return list(provider.domains.values_list("domain", flat=True))


def social_app(provider: IdentityProvider) -> SocialApp:
    """The company's provider as allauth's SocialApp (never saved: our table is the one
    source), with its secret opened for the token request."""
    settings: dict[str, object] = {
        "server_url": provider.issuer,
        "issuer": provider.issuer,
        "oauth_pkce_enabled": True,
        # The claims come from the verified ID token only; userinfo is not signed.
        "fetch_userinfo": False,
    }
    if provider.kind == ProviderKind.GOOGLE and provider.directory:
        settings["hd"] = provider.directory
    return SocialApp(
        provider="openid_connect",
        provider_id=provider.provider_id,
        name=provider.tenant.name,
        client_id=provider.client_id,
        secret=client_secret(provider),
        settings=settings,
    )
