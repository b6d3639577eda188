"""Whether a password may be used: a company with single sign-on may forbid password
sign-in for its people. Its owners keep a break-glass path, for when the provider is down
or misconfigured: an owner with a second factor (allauth.mfa) still signs in with the
password and that factor."""

from __future__ import annotations

from django.apps import apps

from kluis.identity.models import User
from kluis.identity.sso.models import IdentityProvider, SignInDomain
from kluis.identity.sso.selectors import domain_of
from kluis.tenancy.models import Membership

OWNER_ROLE = "owner"


def has_second_factor(user: User) -> bool:
    if not apps.is_installed("allauth.mfa"):
        return False
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user).exclude(type="recovery_codes").exists()


def password_refused(login: str) -> bool:
    """True when `login` may not sign in with a password: one of its companies forbids it
    (and it is no owner there with a second factor), or, for an address with no account,
    its e-mail domain belongs to a company that forbids it."""
    forbidding = set(
        SignInDomain.objects.filter(
            domain=domain_of(login),
            provider__enabled=True,
            provider__password_sign_in_allowed=False,
        ).values_list("provider__tenant_id", flat=True)
    )
    user = User.objects.filter(email__iexact=login.strip()).first()
    if user is None:
        return bool(forbidding)
    companies = set(
        Membership.objects.filter(user=user, is_active=True).values_list("tenant_id", flat=True)
    )
    # A domain speaks for its company's members only (kluis/identity/sso/domains.py): a
    # person of another company at that domain keeps their own companies' rules.
    forbidding = companies & set(
        IdentityProvider.objects.filter(enabled=True, password_sign_in_allowed=False).values_list(
            "tenant_id", flat=True
        )
    )
    if not forbidding:
        return False
    if not has_second_factor(user):
        return True
    owner_of = set(
        Membership.objects.filter(
            user=user,
            is_active=True,
            role_assignments__role__builtin_key=OWNER_ROLE,
        ).values_list("tenant_id", flat=True)
    )
    return not forbidding <= owner_of
