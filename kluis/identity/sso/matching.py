"""Who a sign-in through a company's provider is (issue 13).

The first time, a person is matched to a member of THAT company by the e-mail address the
provider vouches for (email_verified; Entra ID vouches for its directory's domains), and
only at one of the domains the company claims (a provider is no authority on a personal
mailbox elsewhere, which anyone may register at it with); from
then on by allauth's SocialAccount(provider=`kluis-<pk>`, uid=sub), that is by (issuer,
subject), never by e-mail again: a different subject with the same address is refused.
An address with no account gets one only when the company allows just-in-time creation
and the address is of one of its domains. An account that also belongs to another
company is not signed in through one company's provider: that provider must not become a
key to the other company's data."""

from __future__ import annotations

import math
from typing import Any

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.identity import brute_force, invitations
from kluis.identity.models import User
from kluis.identity.signins import AGENT_LENGTH
from kluis.identity.sso import provisioning
from kluis.identity.sso.models import IdentityProvider, ProviderKind
from kluis.identity.sso.selectors import domain_of, domains_of, provider_by_id
from kluis.operations.client_ip import client_ip
from kluis.tenancy.models import Membership

ERROR_TEMPLATE = "socialaccount/authentication_error.html"


def refusal(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    return render(request, ERROR_TEMPLATE, {"sso_message": message}, status=status)


def throttled(request: HttpRequest, wait_seconds: float) -> HttpResponse:
    seconds = max(1, math.ceil(wait_seconds))
    response = render(
        request, "account/throttled.html", {"minutes": max(1, math.ceil(seconds / 60))}, status=429
    )
    response["Retry-After"] = str(seconds)
    return response


def guard(request: HttpRequest, login: str) -> HttpResponse | None:
    """The brute-force counts, before anything is checked: a refusal, or None."""
    try:
        brute_force.check(login, client_ip(request.META))
    except brute_force.AddressThrottled as too_many:
        return throttled(request, too_many.wait.total_seconds())
    except brute_force.AccountBlocked:
        return refusal(
            request,
            _(
                "Too many failed sign-ins for this account from your network. Sign in "
                "from another network, or ask your administrator to lift the block."
            ),
        )
    return None


def failed(
    request: HttpRequest, provider: IdentityProvider | None, login: str, reason: str
) -> None:
    """Count a failed single sign-on against the address (and the account typed), and
    record it in the company's audit log."""
    ip = client_ip(request.META)
    with transaction.atomic():
        if provider is not None:
            record(
                Actor.system("single sign-on", provider.tenant),
                "signin.failed",
                tenant=provider.tenant,
                object_type="identity.user",
                object_repr=login[:200],
                changes={
                    "ip": ip,
                    "user_agent": str(request.META.get("HTTP_USER_AGENT", ""))[:AGENT_LENGTH],
                    "method": "sso",
                    "reason": reason,
                },
            )
    if brute_force.failed(login, ip) and ip and login:
        brute_force.tell_owner(
            login,
            ip,
            lambda token: request.build_absolute_uri(reverse("identity:unblock", args=[token])),
        )


def _refuse(
    request: HttpRequest, provider: IdentityProvider | None, login: str, reason: str, message: str
) -> ImmediateHttpResponse:
    failed(request, provider, login, reason)
    return ImmediateHttpResponse(refusal(request, message))


def _email_vouched_for(provider: IdentityProvider, claims: dict[str, Any], email: str) -> bool:
    if claims.get("email_verified") is True or claims.get("email_verified") == "true":
        return True
    # Entra ID sends no email_verified: its directory's own (verified) domains count.
    return provider.kind == ProviderKind.ENTRA and domain_of(email) in domains_of(provider)


def _active_membership(user: User, provider: IdentityProvider) -> Membership | None:
    return Membership.objects.for_tenant(provider.tenant).filter(user=user, is_active=True).first()


def _elsewhere(user: User, provider: IdentityProvider) -> bool:
    return (
        Membership.objects.filter(user=user, is_active=True)
        .exclude(pk__in=Membership.objects.for_tenant(provider.tenant).values("pk"))
        .exists()
    )


def match(request: HttpRequest, sociallogin: SocialLogin) -> None:
    """Accept the sign-in (linking the account the first time) or raise
    ImmediateHttpResponse with a page that says why not."""
    provider = provider_by_id(sociallogin.account.provider)
    claims: dict[str, Any] = dict(sociallogin.account.extra_data.get("id_token") or {})
    state = sociallogin.state or {}
    email = str(claims.get("email") or "").strip().lower()
    login = str(state.get("login") or email)
    if provider is None or not provider.enabled or not provider.tenant.is_active:
        raise _refuse(
            request,
            provider,
            login,
            "provider disabled",
            _("Single sign-on is not enabled for this company."),
        )
    blocked = guard(request, login)
    if blocked is not None:
        raise ImmediateHttpResponse(blocked)
    if not state.get("nonce") or claims.get("nonce") != state.get("nonce"):
        raise _refuse(
            request, provider, login, "nonce",
            _("The provider's answer does not belong to this sign-in (nonce). Start again."),
        )  # fmt: skip
    if provider.kind == ProviderKind.GOOGLE and claims.get("hd") != provider.directory:
        raise _refuse(
            request, provider, login, "hosted domain",
            _("Sign in with your %(domain)s Google account.") % {"domain": provider.directory},
        )  # fmt: skip
    company = provider.tenant.name
    if sociallogin.is_existing:
        user = sociallogin.user
        if _active_membership(user, provider) is None or _elsewhere(user, provider):
            raise _refuse(
                request, provider, login, "no access",
                _("Your account has no access to %(company)s through its single sign-on.")
                % {"company": company},
            )  # fmt: skip
        brute_force.succeeded(login, client_ip(request.META))
        return
    no_account = _(
        "There is no Kluis account for this address at %(company)s. Ask your HR department "
        "to invite you."
    ) % {"company": company}
    if not email or not _email_vouched_for(provider, claims, email):
        raise _refuse(
            request, provider, login, "e-mail not verified",
            _("Your company's provider did not confirm your e-mail address, so Kluis cannot "
              "tell which account is yours."),
        )  # fmt: skip
    user = User.objects.filter(email__iexact=email).first()
    how = "verified e-mail"
    if user is None:
        if not provider.allow_just_in_time or domain_of(email) not in domains_of(provider):
            raise _refuse(request, provider, login, "unknown address", no_account)
        user = provisioning.add_member(
            provider.tenant,
            email,
            str(claims.get("given_name") or "")[:150],
            str(claims.get("family_name") or "")[:150],
        )
        how = "just in time"
    elif _active_membership(user, provider) is None:
        raise _refuse(request, provider, login, "not a member", no_account)
    elif SocialAccount.objects.filter(user=user, provider=provider.provider_id).exists():
        raise _refuse(
            request, provider, login, "another subject",
            _("Your Kluis account is linked to another identity at your company's provider. "
              "Ask your administrator."),
        )  # fmt: skip
    elif _elsewhere(user, provider):
        raise _refuse(
            request, provider, login, "several companies",
            _("Your Kluis account belongs to more than one company, so it signs in with "
              "its password."),
        )  # fmt: skip
    elif domain_of(email) not in domains_of(provider):
        # A provider speaks only for its company's domains: a verified address elsewhere
        # (a personal mailbox anyone can register at the provider with) links no member.
        raise _refuse(
            request, provider, login, "address outside the company's domains",
            _("Your company's provider cannot sign in an address outside the company's "
              "domains. Sign in with your password."),
        )  # fmt: skip
    brute_force.succeeded(login, client_ip(request.META))
    with transaction.atomic():
        sociallogin.connect(request, user)
        invitations.fulfilled_by_sso(user, provider.tenant, client_ip(request.META) or "")
        record(
            Actor.system("single sign-on", provider.tenant),
            "sso.linked",
            tenant=provider.tenant,
            object_type="identity.user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"issuer": provider.issuer, "subject": sociallogin.account.uid, "how": how},
        )
