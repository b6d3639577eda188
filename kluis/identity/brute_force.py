"""Brute-force protection of sign-in (Auth0's model, issue 13).

- Ten consecutive failures (settings.SIGNIN_BLOCK_AFTER) for one account from one address
  block that account from that address; other addresses are unaffected, so knowing
  someone's e-mail address is not enough to lock them out. A success from the address
  starts the count again; the block lifts when the password changes (allauth's password
  change, reset and set), by the link e-mailed to the account's owner at the block, when
  an administrator lifts it (`unblock`), or 30 days after the last failure. API clients'
  secrets (HTTP Basic, the OAuth token endpoint) are counted the same way, per client id.
- An address with 100 failures (settings.SIGNIN_ADDRESS_LIMIT) across accounts within 24
  hours is throttled: one attempt per 14.4 minutes (24 h / 100), answered 429 with
  Retry-After. Not for an account whose company lists the address on its allow list
  (Sign-in settings: an office behind one NAT address), looked up from the memberships of
  the account the attempt names; the per-account block above applies there all the same,
  and attempts from that address for accounts of other companies stay throttled.
- A refused attempt is refused before the password is looked at (no hash is computed), and
  the answers are the same whether the account exists or not (no enumeration).

The counts live in the database (kluis.identity.models), shared by every web node. A block
is recorded in the audit log of each company the account is a member of.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Exists
from django.tasks import task
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.identity.languages import mail_each, speaking_to
from kluis.identity.models import AddressFailures, SignInFailures, SignInPolicy, User
from kluis.identity.policy import address_exempt_for_login, address_on_an_allow_list
from kluis.operations.metrics import SIGNIN_FAILURES
from kluis.operations.sql import Prepared, fetch_prepared, prepare
from kluis.tenancy.models import Membership, Tenant
from kluis.tenancy.rls import unnarrowed
from kluis.tenancy.selectors import memberships_of_user

# Defaults of settings.SIGNIN_BLOCK_AFTER and SIGNIN_ADDRESS_LIMIT (KLUIS_SIGNIN_*).
BLOCK_AFTER = 10
BLOCK_LIFETIME = dt.timedelta(days=30)
THROTTLE_AFTER = 100
THROTTLE_WINDOW = dt.timedelta(hours=24)
THROTTLE_INTERVAL = THROTTLE_WINDOW / THROTTLE_AFTER  # 14.4 minutes


def _block_after() -> int:
    return int(getattr(settings, "SIGNIN_BLOCK_AFTER", BLOCK_AFTER))


def _throttle_after() -> int:
    return int(getattr(settings, "SIGNIN_ADDRESS_LIMIT", THROTTLE_AFTER))


class SignInRefused(Exception):
    """An attempt refused before the password is checked."""


class AccountBlocked(SignInRefused):
    """This account is blocked from this address."""


@dataclass
class AddressThrottled(SignInRefused):
    """This address made too many failed attempts: the next one after `wait`."""

    wait: dt.timedelta


def account_key(login: str) -> str:
    """The stored form of a login: a keyed digest of the normalised address."""
    key = login.strip().lower()
    return salted_hmac("kluis.identity.brute_force", key, algorithm="sha256").hexdigest()


# An IPv6 client is counted by its /64: one subscriber's network (RFC 6177), in which
# a host picks any of 2**64 addresses (privacy addresses rotate on their own). Counted by
# the full address, an attacker would take ten guesses per account from each of them.
IPV6_COUNTED_PREFIX = 64


def counted_address(ip: str | None) -> str | None:
    """The address an attempt from `ip` is counted against: an IPv4 address as it is (an
    IPv4-mapped IPv6 address as its IPv4), an IPv6 address as its /64 network's first
    address; None for none or for something that is no address."""
    try:
        address = ipaddress.ip_address((ip or "").strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        network = ipaddress.IPv6Network((address, IPV6_COUNTED_PREFIX), strict=False)
        return str(network.network_address)
    return str(address)


def check(login: str, ip: str | None, now: dt.datetime | None = None) -> None:
    """Raise AccountBlocked or AddressThrottled for an attempt that must be refused."""
    counted = counted_address(ip)
    if not counted:
        return
    now = now or timezone.now()
    check_address(ip, now, login=login)
    blocked = SignInFailures.objects.filter(
        account=account_key(login),
        ip=counted,
        blocked_at__isnull=False,
        last_failure_at__gt=now - BLOCK_LIFETIME,
    ).exists()
    if blocked:
        raise AccountBlocked()


def check_address(ip: str | None, now: dt.datetime | None = None, *, login: str = "") -> None:
    """Raise AddressThrottled when this address made too many failed attempts; `login`:
    the account the attempt names, if any (an address on the allow list of one of its
    companies is not throttled for it); none for an invitation link or a reset request."""
    counted = counted_address(ip)
    if not counted:
        return
    now = now or timezone.now()
    wait = _address_wait(counted, now)
    if wait is not None and not (login and address_exempt_for_login(login, ip)):
        raise AddressThrottled(wait)


def throttled_wait(ip: str | None, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long this address must wait before its next attempt whatever account it names
    (kluis/identity/early_refusal.py answers it before the request is read); None when it
    may try: not throttled, or on some company's allow list, where whether an attempt is
    exempt depends on the account it names (`check_address` decides). One statement,
    compiled once: the address's count and whether any company has an allow list."""
    counted = counted_address(ip)
    if not counted:
        return None
    connection = connections[DEFAULT_DB_ALIAS]
    row = fetch_prepared(
        connection,
        _standing_lookup(connection),
        {"ip": _IP_FIELD.get_db_prep_value(counted, connection)},
    )
    if row is None:
        return None
    failures, window_started_at, last_failure_at, any_allow_list = row
    now = now or timezone.now()
    if not _throttled(failures, window_started_at, last_failure_at, now):
        return None
    if any_allow_list and address_on_an_allow_list(ip):
        return None
    return THROTTLE_WINDOW / _throttle_after() - (now - last_failure_at)


_IP_MARKER = "192.0.2.213"  # (TEST-NET-1: no address a request comes from)
_IP_FIELD = AddressFailures._meta.get_field("ip")
_standing_lookups: dict[str, Prepared] = {}


def _standing_lookup(connection: BaseDatabaseWrapper) -> Prepared:
    cached = _standing_lookups.get(connection.alias)
    if cached is None:
        alias = connection.alias
        listing = SignInPolicy.objects.using(alias).exclude(allowed_networks=[])
        queryset = (
            AddressFailures.objects.using(alias)
            .filter(ip=_IP_MARKER)
            .order_by()
            .annotate(any_allow_list=Exists(listing))
            .values_list("failures", "window_started_at", "last_failure_at", "any_allow_list")
        )
        marker = _IP_FIELD.get_db_prep_value(_IP_MARKER, connection)
        cached = prepare(queryset, connection, {"ip": marker})
        _standing_lookups[alias] = cached
    return cached


def _address_wait(ip: str, now: dt.datetime) -> dt.timedelta | None:
    """The wait of a throttled address before any allow list is asked; None if not."""
    address = AddressFailures.objects.filter(ip=ip).first()
    if address is None or not _throttled(
        address.failures, address.window_started_at, address.last_failure_at, now
    ):
        return None
    interval = THROTTLE_WINDOW / _throttle_after()
    return interval - (now - address.last_failure_at)


def _throttled(
    failures: int, window_started_at: dt.datetime, last_failure_at: dt.datetime, now: dt.datetime
) -> bool:
    """The rule for an address's count: too many failures in the window, the last one
    within the interval (before any allow list is asked)."""
    limit = _throttle_after()
    return (
        failures >= limit
        and now - window_started_at < THROTTLE_WINDOW
        and now - last_failure_at < THROTTLE_WINDOW / limit
    )


def _blocked(
    blocked_at: dt.datetime | None, last_failure_at: dt.datetime, now: dt.datetime
) -> bool:
    """The rule for an account's count from one address: blocked, and not lifted by age."""
    return blocked_at is not None and last_failure_at > now - BLOCK_LIFETIME


@dataclass(frozen=True)
class Standing:
    """How an attempt's account and address stand, as read alongside another lookup in one
    statement (kluis/integrations/basic.py): the columns of their count rows, None where
    there is none (or nothing was read: `unknown`)."""

    account_failures: int | None = None
    account_blocked_at: dt.datetime | None = None
    account_last_failure_at: dt.datetime | None = None
    address_failures: int | None = None
    address_window_started_at: dt.datetime | None = None
    address_last_failure_at: dt.datetime | None = None
    read: bool = True

    @classmethod
    def unknown(cls) -> Standing:
        return cls(read=False)

    def clear(self, now: dt.datetime | None = None) -> bool:
        """Nothing counted could refuse the attempt (not blocked, the address under its
        limit); False when anything might, and then `check` says precisely."""
        if not self.read:
            return False
        now = now or timezone.now()
        if self.account_last_failure_at is not None and _blocked(
            self.account_blocked_at, self.account_last_failure_at, now
        ):
            return False
        return not (
            self.address_failures is not None
            and self.address_window_started_at is not None
            and self.address_last_failure_at is not None
            and _throttled(
                self.address_failures,
                self.address_window_started_at,
                self.address_last_failure_at,
                now,
            )
        )

    @property
    def counted(self) -> bool:
        """Failures of the account from the address that a success starts again."""
        return not self.read or (
            self.account_failures is not None and self.account_blocked_at is None
        )


def failed_address(ip: str | None, login: str = "", now: dt.datetime | None = None) -> None:
    """Count an attempt against the address only (an unknown invitation token, a
    password-reset request for `login`): it blocks no account. When it throttles the
    address, the companies of `login` (if it is an account) are told."""
    counted = counted_address(ip)
    if not counted:
        return
    SIGNIN_FAILURES.labels("address").inc()
    with transaction.atomic():
        _count_for_address(counted, now or timezone.now(), _companies_of(login) if login else [])


Audit = Callable[[str, dict[str, object]], None]


def failed(
    login: str,
    ip: str | None,
    now: dt.datetime | None = None,
    *,
    audit: Audit | None = None,
    tenant_ids: list[int] | None = None,
) -> bool:
    """Count a failed attempt; True when it blocked the account from this address. The
    block is recorded by `audit(action, changes)` (default: in the audit log of each
    company of the user whose e-mail address `login` is). `tenant_ids`: the companies the
    attempt was against (default: those of that user), told if the address is throttled."""
    ip = counted_address(ip)
    if not ip:
        return False
    SIGNIN_FAILURES.labels("account").inc()
    now = now or timezone.now()
    account = account_key(login)
    if tenant_ids is None:
        tenant_ids = _companies_of(login)
    with transaction.atomic():
        row, created = SignInFailures.objects.select_for_update().get_or_create(
            account=account, ip=ip, defaults={"failures": 1, "last_failure_at": now}
        )
        if not created:
            if row.blocked_at is not None and now - row.last_failure_at >= BLOCK_LIFETIME:
                row.failures, row.blocked_at = 0, None  # an old block has lifted
            row.failures += 1
            row.last_failure_at = now
        newly_blocked = row.blocked_at is None and row.failures >= _block_after()
        if newly_blocked:
            row.blocked_at = now
        row.save()
        _count_for_address(ip, now, tenant_ids)
        if newly_blocked:
            (audit or audit_for_user(login))("signin.blocked", {"ip": ip, "failures": row.failures})
    return newly_blocked


def _companies_of(login: str) -> list[int]:
    """The companies of the account `login` names (none for a login no account has). The
    memberships are looked up for a login no account has too (of no user: none), so that
    an attempt takes as long either way (a reset request is answered alike for both)."""
    user = User.objects.filter(email__iexact=login.strip()).only("pk").first()
    return [membership.tenant_id for membership in memberships_of_user(user.pk if user else 0)]


def _count_for_address(ip: str, now: dt.datetime, tenant_ids: list[int]) -> None:
    """Count a failure of the address; when this one throttles it, record that in the
    audit log of each company it tried and tell their owners (after the commit)."""
    address, _created = AddressFailures.objects.select_for_update().get_or_create(
        ip=ip,
        defaults={
            "failures": 0,
            "window_started_at": now,
            "last_failure_at": now,
            "tenant_ids": [],
        },
    )
    if now - address.window_started_at >= THROTTLE_WINDOW:
        address.failures, address.window_started_at, address.tenant_ids = 0, now, []
    address.failures += 1  # the row is locked (SQLite: the write transaction is)
    address.last_failure_at = now
    targets = list(address.tenant_ids or [])
    for tenant_id in tenant_ids:
        if tenant_id not in targets and len(targets) < AddressFailures.TARGETS_KEPT:
            targets.append(tenant_id)
    address.tenant_ids = targets
    address.save()
    if address.failures == _throttle_after() and targets:
        _record_throttle(ip, address.failures, targets)


def _record_throttle(ip: str, failures: int, tenant_ids: list[int]) -> None:
    for tenant in Tenant.objects.filter(pk__in=tenant_ids, is_active=True):
        record(
            Actor.system("sign-in protection", tenant),
            "signin.address_throttled",
            tenant=tenant,
            object_type="identity.address",
            object_repr=ip,
            changes={"ip": ip, "failures": failures},
        )
    transaction.on_commit(lambda: send_throttle_notice.enqueue(ip, failures, tenant_ids))


def succeeded(login: str, ip: str | None) -> None:
    """A successful sign-in from this address starts its count for the account again."""
    ip = counted_address(ip)
    if ip:
        SignInFailures.objects.filter(
            account=account_key(login), ip=ip, blocked_at__isnull=True
        ).delete()


def unblock(login: str, reason: str, *, audit: Audit | None = None) -> int:
    """Lift every block and count of an account (its password changed, or an
    administrator lifted them); the number of addresses it was blocked from."""
    with transaction.atomic():
        rows = SignInFailures.objects.filter(account=account_key(login))
        blocked = list(rows.filter(blocked_at__isnull=False).values_list("ip", flat=True))
        rows.delete()
        if blocked:
            (audit or audit_for_user(login))(
                "signin.unblocked", {"ips": sorted(blocked), "reason": reason}
            )
    return len(blocked)


def audit_for_user(login: str) -> Audit:
    """Record an event about the account `login` names in each of its companies."""

    def audit(action: str, changes: dict[str, object]) -> None:
        """The event in the audit log of each company the account belongs to (none for a
        login no account has)."""
        user = User.objects.filter(email__iexact=login.strip()).first()
        if user is None:
            return
        with unnarrowed():  # a member's request is narrowed to one of the companies
            _record_in_each(user, action, changes)

    return audit


def _record_in_each(user: User, action: str, changes: dict[str, object]) -> None:
    for membership in memberships_of_user(user.pk):
        record(
            Actor.system("sign-in protection", membership.tenant),
            action,
            tenant=membership.tenant,
            object_type="identity.user",
            object_id=user.pk,
            object_repr=user.email,
            changes=changes,
        )


# The unblock link e-mailed to an account's owner when it is blocked from an address.
UNBLOCK_SALT = "kluis.identity.unblock"


def unblock_token(login: str, ip: str, user_id: int) -> str:
    """A signed, expiring token naming one block (the account, its user and the
    address, as counted)."""
    counted = counted_address(ip) or ip
    return signing.dumps({"a": account_key(login), "ip": counted, "u": user_id}, salt=UNBLOCK_SALT)


def blocked_address(token: str) -> str | None:
    """The address a genuine, unexpired unblock token names; None otherwise."""
    named = _named(token)
    return None if named is None else str(named.get("ip", ""))


def _named(token: str) -> dict[str, object] | None:
    try:
        named = signing.loads(token, salt=UNBLOCK_SALT, max_age=BLOCK_LIFETIME)
    except signing.BadSignature:
        return None
    return named if isinstance(named, dict) else None


def unblock_by_token(token: str) -> str | None:
    """Lift the block the token names: the address it was from, or None for a token that
    is altered or older than a block lasts (a block already lifted is lifted)."""
    named = _named(token)
    if named is None:
        return None
    account, ip = str(named.get("a", "")), str(named.get("ip", ""))
    with transaction.atomic():
        deleted, _kinds = SignInFailures.objects.filter(account=account, ip=ip).delete()
        user = User.objects.filter(pk=int(str(named.get("u") or 0))).first()
        if deleted and user is not None:
            audit_for_user(user.email)("signin.unblocked", {"ips": [ip], "reason": "unblock link"})
    return ip


@task()
def send_unblock_link(user_id: int, ip: str, link: str) -> int:
    """E-mail the owner of a blocked account: from where, and the link that lifts it."""
    user = User.objects.get(pk=user_id)
    with speaking_to(user):
        subject = _("Kluis: sign-ins to your account were blocked")
        body = _(
            "There were %(count)s failed sign-ins to your Kluis account from the address "
            "%(ip)s, so sign-ins from that address are blocked. Other addresses are not "
            "affected.\n\nIf these were you, lift the block here: %(link)s\n\n"
            "If they were not you, someone is guessing your password: you do not need to "
            "do anything, but choosing a new password also lifts the block."
        ) % {"count": _block_after(), "ip": ip, "link": link}
    return send_mail(subject, body, None, [user.email])


def tell_owner(login: str, ip: str, link_for: Callable[[str], str]) -> None:
    """Queue the unblock e-mail to the account's owner, if the login is an account (the
    answer on screen is the same either way); `link_for(token)` makes the link."""
    user = User.objects.filter(email__iexact=login.strip(), is_active=True).first()
    if user is None:
        return
    user_id, link = user.pk, link_for(unblock_token(login, ip, user.pk))
    shown = counted_address(ip) or ip
    transaction.on_commit(lambda: send_unblock_link.enqueue(user_id, shown, link))


@task()
def send_throttle_notice(ip: str, failures: int, tenant_ids: list[int]) -> int:
    """E-mail the owners of each company an address tried: it is throttled."""
    sent = 0
    for tenant in Tenant.objects.filter(pk__in=tenant_ids, is_active=True):
        owners = User.objects.filter(
            pk__in=Membership.objects.for_tenant(tenant)
            .filter(
                is_active=True,
                user__is_active=True,
                role_assignments__role__builtin_key="owner",
            )
            .values("user_id")
        ).order_by("email")
        sent += mail_each(owners, partial(_throttle_notice, ip, failures, tenant.name))
    return sent


def _throttle_notice(ip: str, failures: int, company: str) -> tuple[str, str]:
    subject = _("Kluis: an address guessing passwords at %(company)s was throttled") % {
        "company": company
    }
    body = _(
        "The address %(ip)s made %(failures)s failed sign-ins within 24 hours, some of them "
        "to accounts of %(company)s. From now on it gets one attempt every 14 minutes.\n\n"
        "If this address is your office (many people behind one network address), add it "
        "to the allow list in the company's sign-in settings. If not, someone is guessing "
        "passwords: accounts with a second factor are safe; ask the people of your company "
        "to use one."
    ) % {"ip": ip, "failures": failures, "company": company}
    return subject, body
