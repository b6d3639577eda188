"""Which e-mail domains a company may claim for its single sign-on, and whom a claimed
domain routes.

A claimed domain sends everyone who types an address at it to the company's provider, and
its "no passwords" policy applies to them; claimed by the wrong company, it would send
another company's people to a provider that is not theirs (a phishing page) or keep them
from signing in. So:

- public mail domains (gmail.com, outlook.com, ...) cannot be claimed: they are nobody's;
- a domain that people of another company (and not of this one) sign in with cannot be
  claimed: it is evidently not only this company's;
- a person routes to a claimed domain's provider, and falls under its policy, only when
  they are a member of that company or have no account yet (just-in-time creation);
  anyone else goes on to their own password step.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from kluis.identity.models import User
from kluis.identity.sso.models import IdentityProvider
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.rls import unnarrowed

# Mail services anyone can have an address at (the widest used here and abroad).
PUBLIC_DOMAINS = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "outlook.be", "hotmail.com",
        "hotmail.be", "hotmail.fr", "hotmail.nl", "live.com", "live.be", "live.nl",
        "msn.com", "yahoo.com", "yahoo.fr", "ymail.com", "icloud.com", "me.com", "mac.com",
        "aol.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.net", "gmx.de",
        "web.de", "mail.com", "zoho.com", "yandex.com", "telenet.be", "skynet.be",
        "proximus.be", "scarlet.be", "ziggo.nl", "kpnmail.nl", "planet.nl", "xs4all.nl",
        "orange.fr", "free.fr", "sfr.fr", "laposte.net", "wanadoo.fr",
    }
)  # fmt: skip


def _others_use(tenant: Tenant, domain: str) -> bool:
    """Whether active members of another company, who are not members of `tenant`, sign
    in with addresses at `domain` (looked at across companies, never shown)."""
    with unnarrowed():
        ours = Membership.objects.for_tenant(tenant).values("user_id")
        return (
            User.objects.filter(email__iendswith=f"@{domain}", memberships__is_active=True)
            .exclude(pk__in=ours)
            .exists()
        )


def refusals(tenant: Tenant, domains: list[str]) -> list[str]:
    """Why some of `domains` cannot be claimed by `tenant` (empty when all can)."""
    public = sorted(d for d in domains if d in PUBLIC_DOMAINS)
    used = sorted(d for d in domains if d not in PUBLIC_DOMAINS and _others_use(tenant, d))
    messages = []
    if public:
        messages.append(
            _("%(domains)s is a public mail service, not your company's domain.")
            % {"domains": ", ".join(public)}
        )
    if used:
        messages.append(
            _(
                "%(domains)s cannot be claimed: people of another company sign in with "
                "addresses there."
            )
            % {"domains": ", ".join(used)}
        )
    return messages


def governs(provider: IdentityProvider, email: str) -> bool:
    """Whether the company of `provider`, whose domain `email` is at, speaks for that
    address: the person has no account yet, or is a member of that company."""
    user = User.objects.filter(email__iexact=email.strip()).only("pk").first()
    if user is None:
        return True
    with unnarrowed():
        return (
            Membership.objects.for_tenant(provider.tenant_id)
            .filter(user=user, is_active=True)
            .exists()
        )
