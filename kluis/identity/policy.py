"""A company's sign-in policy (issue 13): who must use a second factor, how long a session
lasts, which office addresses are exempt from the per-address sign-in throttle, and
whether passwords may be used.

Read it with `policy_for(tenant)`: a frozen snapshot, from the shared cache (one entry per
company, dropped when the policy changes) or the database; a company without a stored
policy has the defaults below. The questions other code asks:

- `mfa_required(membership)`: must this member use a second factor in this company?
- `has_second_factor(user)`: has the person enrolled one (TOTP or a passkey)?
- `password_sign_in_allowed(user)`: may the person sign in with a password?
- `address_allowed(tenant, ip)`: is the address on the company's allow list?
- `address_exempt_for_login(login, ip)`: is the address on the allow list of a company of
  the account a sign-in attempt names (the per-address throttle does not count it)?
- `address_on_an_allow_list(ip)`: is the address on any company's allow list?

Changing a policy is `kluis.identity.policy_service.change_policy`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Model

from kluis.access.models import Role, RoleAssignment
from kluis.identity.models import SignInPolicy, User
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.selectors import memberships_of_user

# The built-in roles whose holders must use a second factor unless the company says
# otherwise (issue 13: Owner, HR admin, Auditor).
DEFAULT_MFA_ROLE_KEYS = ("owner", "hr_admin", "auditor")
# Bounds of the session timeouts (NIST SP 800-63B-4, AAL2: re-authentication at least
# every 24 hours, after at most 1 hour idle recommended; we allow up to 24 h idle).
IDLE_MIN, IDLE_MAX = 5 * 60, 24 * 60 * 60
ABSOLUTE_MIN, ABSOLUTE_MAX = 60 * 60, 24 * 60 * 60
# An allow-list entry may name at most this many addresses: an office network, never a
# large part of the internet (IPv4 /16, IPv6 /48).
WIDEST_PREFIX = {4: 16, 6: 48}
MAX_NETWORKS = 50

CACHE_KEY = "kluis:signin-policy:{}"
CACHE_SECONDS = 300


@dataclass(frozen=True)
class Policy:
    tenant_id: int
    mfa_required_for: str  # SignInPolicy.Mfa
    mfa_role_ids: frozenset[int]
    idle_timeout_seconds: int
    absolute_lifetime_seconds: int
    allowed_networks: tuple[str, ...]
    password_sign_in_allowed: bool
    stored: bool  # False: the defaults (the company has no policy row)


def _tenant_id(tenant: Tenant | int) -> int:
    return int(tenant.pk if isinstance(tenant, Model) else tenant)


def default_idle_seconds() -> int:
    return int(getattr(settings, "SESSION_IDLE_SECONDS", 60 * 60))


def default_absolute_seconds() -> int:
    return int(getattr(settings, "SESSION_MAX_AGE_SECONDS", 12 * 60 * 60))


def default_policy(tenant: Tenant | int) -> Policy:
    tenant_id = _tenant_id(tenant)
    roles = Role.objects.for_tenant(tenant_id).filter(builtin_key__in=DEFAULT_MFA_ROLE_KEYS)
    return Policy(
        tenant_id=tenant_id,
        mfa_required_for=SignInPolicy.Mfa.ROLES,
        mfa_role_ids=frozenset(roles.values_list("pk", flat=True)),
        idle_timeout_seconds=default_idle_seconds(),
        absolute_lifetime_seconds=default_absolute_seconds(),
        allowed_networks=(),
        password_sign_in_allowed=True,
        stored=False,
    )


def snapshot(row: SignInPolicy) -> Policy:
    return Policy(
        tenant_id=row.tenant_id,
        mfa_required_for=row.mfa_required_for,
        mfa_role_ids=frozenset(row.mfa_roles.values_list("pk", flat=True)),
        idle_timeout_seconds=row.idle_timeout_seconds,
        absolute_lifetime_seconds=row.absolute_lifetime_seconds,
        allowed_networks=tuple(row.allowed_networks or ()),
        password_sign_in_allowed=row.password_sign_in_allowed,
        stored=True,
    )


def load_policy(tenant: Tenant | int) -> Policy:
    """The policy as stored now (no cache)."""
    tenant_id = _tenant_id(tenant)
    row = SignInPolicy.objects.for_tenant(tenant_id).first()
    return snapshot(row) if row is not None else default_policy(tenant_id)


def policy_for(tenant: Tenant | int) -> Policy:
    """The company's sign-in policy (cached in the shared cache for every process)."""
    tenant_id = _tenant_id(tenant)
    key = CACHE_KEY.format(tenant_id)
    found = cache.get(key)
    if isinstance(found, Policy):
        return found
    policy = load_policy(tenant_id)
    cache.set(key, policy, CACHE_SECONDS)
    return policy


def forget(tenant: Tenant | int) -> None:
    """Drop the cached policy (after a change is committed, and when roles change)."""
    cache.delete(CACHE_KEY.format(_tenant_id(tenant)))


def mfa_required(membership: Membership) -> bool:
    """Must this member use a second factor while working in this company?"""
    policy = policy_for(membership.tenant_id)
    if policy.mfa_required_for == SignInPolicy.Mfa.EVERYONE:
        return True
    if policy.mfa_required_for != SignInPolicy.Mfa.ROLES or not policy.mfa_role_ids:
        return False
    return (
        RoleAssignment.objects.for_tenant(membership.tenant_id)
        .filter(membership_id=membership.pk, role_id__in=policy.mfa_role_ids)
        .exists()
    )


def has_second_factor(user: User) -> bool:
    """Has the person enrolled an authenticator app or a passkey (recovery codes alone
    are not a factor one signs in with)?"""
    from allauth.mfa.models import Authenticator

    return (
        Authenticator.objects.filter(user_id=user.pk)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists()
    )


def password_sign_in_allowed(user: User) -> bool:
    """May the person sign in with a password? No when a company they are an active member
    of forbids passwords (it signs its people in through its SSO), except for an Owner of
    that company who has a second factor (the break-glass path when the identity provider
    is down); every company of the person must allow it."""
    forbidding = [
        m
        for m in memberships_of_user(user.pk)
        if not policy_for(m.tenant_id).password_sign_in_allowed
    ]
    if not forbidding:
        return True
    if not has_second_factor(user):
        return False
    for membership in forbidding:
        is_owner = (
            RoleAssignment.objects.for_tenant(membership.tenant_id)
            .filter(membership_id=membership.pk, role__builtin_key="owner")
            .exists()
        )
        if not is_owner:
            return False
    return True


def _address(ip: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None


def address_allowed(tenant: Tenant | int, ip: str | None) -> bool:
    """Is the address on the company's allow list (an address or network on it)?"""
    address = _address(ip)
    if address is None:
        return False
    for entry in policy_for(tenant).allowed_networks:
        network = ipaddress.ip_network(entry, strict=False)
        if address.version == network.version and address in network:
            return True
    return False


def address_on_an_allow_list(ip: str | None) -> bool:
    """Is the address on the allow list of any company? (Read before the attempt's account
    is known: an address no company lists can be refused before the request is read.)"""
    address = _address(ip)
    if address is None:
        return False
    listed = SignInPolicy.objects.exclude(allowed_networks=[]).values_list(
        "allowed_networks", flat=True
    )
    for networks in listed.iterator():
        for entry in networks or ():
            network = ipaddress.ip_network(entry, strict=False)
            if address.version == network.version and address in network:
                return True
    return False


def address_exempt_for_login(login: str, ip: str | None) -> bool:
    """Is `ip` on the allow list of a company the account `login` names is an active member
    of? Then a failure from it is not counted against the address (an office behind one
    NAT), though it still counts against the account from that address."""
    if _address(ip) is None or not login.strip():
        return False
    user = User.objects.filter(email__iexact=login.strip()).first()
    if user is None:
        return False
    return any(address_allowed(m.tenant_id, ip) for m in memberships_of_user(user.pk))
