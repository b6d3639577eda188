"""Writes to a company's single sign-on configuration: authorised (identity.manage_sso),
validated (the provider's discovery document is fetched and checked), written in one
transaction and audited, never with the client secret in the audit log."""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.socialaccount.models import SocialAccount
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.crypto import vault
from kluis.identity.sso import discovery
from kluis.identity.sso import domains as domain_rules
from kluis.identity.sso.models import (
    CLIENT_SECRET_PURPOSE,
    IdentityProvider,
    ProviderKind,
    SignInDomain,
)
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import unnarrowed

PERMISSION = "identity.manage_sso"
AUDITED = (
    "kind",
    "issuer",
    "directory",
    "client_id",
    "enabled",
    "allow_just_in_time",
    "password_sign_in_allowed",
)


@dataclass
class SsoSettings:
    """What an owner enters. An empty client_secret keeps the one that is set."""

    kind: str
    client_id: str
    issuer: str = ""
    directory: str = ""
    client_secret: str = ""
    domains: list[str] | str = field(default_factory=list)
    enabled: bool = False
    allow_just_in_time: bool = False
    password_sign_in_allowed: bool = True


def _check_actor(actor: Actor, tenant: Tenant) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, PERMISSION)


def provider_of(tenant: Tenant) -> IdentityProvider | None:
    return IdentityProvider.objects.for_tenant(tenant).first()


def _clean(
    tenant: Tenant, data: SsoSettings, current: IdentityProvider | None
) -> dict[str, object]:
    errors: dict[str, list[str]] = {}
    kind = (data.kind or "").strip()
    if kind not in ProviderKind.values:
        raise ValidationError({"kind": [_("Choose a provider.")]})
    directory = (data.directory or "").strip().lower()
    issuer = discovery.issuer_for(kind, data.issuer, directory)
    discovery.check_issuer(issuer)
    client_id = (data.client_id or "").strip()
    if not client_id or len(client_id) > 255:
        errors["client_id"] = [_("Enter the client ID the provider gave Kluis.")]
    secret = data.client_secret or ""
    if current is None and not secret:
        errors["client_secret"] = [_("Enter the client secret the provider gave Kluis.")]
    if len(secret) > 1000:
        errors["client_secret"] = [_("The client secret is too long.")]
    domains = discovery.parse_domains(data.domains)
    if (data.enabled or data.allow_just_in_time) and not domains:
        errors["domains"] = [_("Name at least one e-mail domain of your company.")]
    if kind == ProviderKind.GOOGLE and directory not in domains:
        domains.insert(0, directory)
    ours = set(SignInDomain.objects.for_tenant(tenant).values_list("domain", flat=True))
    with unnarrowed():  # other companies' claims, which row-level security hides
        claimed = (
            set(SignInDomain.objects.filter(domain__in=domains).values_list("domain", flat=True))
            - ours
        )
    if claimed:
        errors["domains"] = [
            _("%(domains)s already sign in through another company's provider.")
            % {"domains": ", ".join(sorted(claimed))}
        ]
    elif refused := domain_rules.refusals(tenant, domains):
        errors["domains"] = refused
    if errors:
        raise ValidationError(errors)
    if kind != ProviderKind.ENTRA and kind != ProviderKind.GOOGLE:
        directory = ""
    document = discovery.fetch(issuer)
    return {
        "kind": kind,
        "issuer": str(document["issuer"]),
        "directory": directory,
        "client_id": client_id,
        "secret": secret,
        "domains": domains,
        "enabled": bool(data.enabled),
        "allow_just_in_time": bool(data.allow_just_in_time),
        "password_sign_in_allowed": bool(data.password_sign_in_allowed),
    }


def configure_sso(actor: Actor, tenant: Tenant, data: SsoSettings) -> IdentityProvider:
    """Create or change the company's provider. Changing the issuer or the client id
    unlinks the people linked so far: subjects are only unique per issuer (and, at Entra
    ID, per application), so they are matched by e-mail once more at their next sign-in."""
    _check_actor(actor, tenant)
    with transaction.atomic():
        current = IdentityProvider.objects.for_tenant(tenant).select_for_update().first()
        clean = _clean(tenant, data, current)
        provider = current or IdentityProvider(tenant=tenant)
        before = {name: getattr(provider, name) for name in AUDITED} if current else {}
        old_domains = sorted(provider.domains.values_list("domain", flat=True)) if current else []
        for name in AUDITED:
            setattr(provider, name, clean[name])
        secret = str(clean["secret"])
        if secret:
            provider.client_secret_sealed = (
                vault.seal(tenant.pk, CLIENT_SECRET_PURPOSE, secret) or ""
            )
        provider.save()
        domains = list(clean["domains"])  # type: ignore[call-overload]
        try:
            with transaction.atomic():
                SignInDomain.objects.for_tenant(tenant).exclude(domain__in=domains).delete()
                for domain in domains:
                    SignInDomain.objects.get_or_create(
                        tenant=tenant, provider=provider, domain=domain
                    )
        except IntegrityError:
            raise ValidationError(
                {
                    "domains": [
                        _(
                            "One of these domains already signs in through another "
                            "company's provider."
                        )
                    ]
                }
            ) from None
        changes: dict[str, object] = {
            name: {"old": before.get(name), "new": getattr(provider, name)}
            for name in AUDITED
            if before.get(name) != getattr(provider, name)
        }
        if sorted(domains) != old_domains:
            changes["domains"] = {"old": old_domains, "new": sorted(domains)}
        if secret:
            # That it changed, never the value.
            changes["client_secret"] = {"old": "[set]" if current else None, "new": "[replaced]"}
        unlinked = 0
        if current and ("issuer" in changes or "client_id" in changes):
            unlinked, _kinds = SocialAccount.objects.filter(provider=provider.provider_id).delete()
            changes["unlinked_accounts"] = unlinked
        if changes:
            record(
                actor,
                "sso.changed" if current else "sso.configured",
                tenant=tenant,
                target=provider,
                changes=changes,
            )
    return provider


def remove_sso(actor: Actor, tenant: Tenant) -> None:
    """Remove the company's provider, its domains and every link of a person to it."""
    _check_actor(actor, tenant)
    with transaction.atomic():
        provider = IdentityProvider.objects.for_tenant(tenant).select_for_update().first()
        if provider is None:
            return
        unlinked, _kinds = SocialAccount.objects.filter(provider=provider.provider_id).delete()
        domains = sorted(provider.domains.values_list("domain", flat=True))
        record(
            actor,
            "sso.removed",
            tenant=tenant,
            target=provider,
            changes={
                "issuer": {"old": provider.issuer, "new": None},
                "domains": {"old": domains, "new": []},
                "unlinked_accounts": unlinked,
            },
        )
        provider.delete()


def client_secret(provider: IdentityProvider) -> str:
    """The opened client secret, for the token request only (never shown, never logged)."""
    return (
        vault.unseal(provider.tenant_id, CLIENT_SECRET_PURPOSE, provider.client_secret_sealed) or ""
    )
