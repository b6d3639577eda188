"""People who can sign in. A user belongs to companies through memberships (tenancy)."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from kluis.access.models import Role
from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantManager


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Signs in with an e-mail address; there is no username."""

    username = None  # type: ignore[assignment]
    email = models.EmailField("e-mail address", unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # Raised to end every session of the person at once (sign out everywhere, deactivation):
    # a session signed in under an older generation is signed out at its next request.
    session_generation = models.PositiveIntegerField(default=0, editable=False)
    # The language Kluis writes to the person in (e-mails sent by the worker, which has no
    # browser to ask): the one they last used, or their inviter's (kluis/identity/languages.py).
    language = models.CharField(max_length=8, blank=True, default="", editable=False)

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class SignInFailures(models.Model):
    """Consecutive failed sign-ins for one account from one address (Auth0's model): at
    `BLOCK_AFTER` the account is blocked from that address only, so an attacker who knows
    an e-mail address cannot lock its owner out. The account is kept as a keyed digest of
    the login typed, so that addresses tried for accounts that do not exist are not
    stored. Shared by every web node (the database), never per process."""

    account = models.CharField(max_length=64)  # salted HMAC of the normalised login
    ip = models.GenericIPAddressField()
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField()
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["account", "ip"], name="signin_failures_once"),
        ]

    def __str__(self) -> str:
        return f"{self.account[:8]}… from {self.ip}: {self.failures}"


class AddressFailures(models.Model):
    """Failed sign-ins from one address across accounts in a 24-hour window: at
    `THROTTLE_AFTER` the address gets one attempt per `THROTTLE_INTERVAL` (HTTP 429)."""

    ip = models.GenericIPAddressField(unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField()
    last_failure_at = models.DateTimeField()
    # The companies whose accounts (or API clients) the address tried in this window: their
    # owners are told when it is throttled. Capped (TARGETS_KEPT), ids only.
    tenant_ids = models.JSONField(default=list, blank=True)

    TARGETS_KEPT = 20

    def __str__(self) -> str:
        return f"{self.ip}: {self.failures}"


class KnownDevice(models.Model):
    """A browser (by its user agent) a person has signed in with: a sign-in from one not
    seen before is e-mailed to them (kluis/identity/signins.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)  # SHA-256 of the user agent
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "fingerprint"], name="known_device_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.fingerprint[:8]}…"


class UsedTotpCode(models.Model):
    """A TOTP code accepted for a person: the code of one 30-second step (`step`, the
    code's own HOTP counter), at most once, for every process and node. allauth marks a
    used code in the cache only, which without Redis is a file cache whose `add` is not
    atomic across the web processes and which culls entries at random: two requests at
    once, or one after the mark was culled, could both be let in with the same code.
    The unique row refuses the second (kluis/identity/mfa.py)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    step = models.BigIntegerField()
    used_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            models.UniqueConstraint(fields=["user", "step"], name="totp_code_used_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.step}"


class SignInPolicy(models.Model):
    """A company's sign-in rules (kluis/identity/policy.py reads them): who must use a
    second factor, how long a session lasts idle and at most, the office addresses exempt
    from the per-address sign-in throttle, and whether passwords may be used. A company
    without a row has the defaults (`policy.DEFAULTS`)."""

    class Mfa(models.TextChoices):
        OFF = "off", _("Nobody")
        EVERYONE = "everyone", _("Everyone")
        ROLES = "roles", _("People with the chosen roles")

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="+")
    mfa_required_for = models.CharField(max_length=10, choices=Mfa.choices, default=Mfa.ROLES)
    # The roles whose holders must use a second factor (when mfa_required_for is "roles").
    mfa_roles = models.ManyToManyField(Role, blank=True, related_name="+")
    idle_timeout_seconds = models.PositiveIntegerField(default=60 * 60)
    absolute_lifetime_seconds = models.PositiveIntegerField(default=12 * 60 * 60)
    # Addresses and networks ("192.0.2.7", "198.51.100.0/24", "2001:db8::/48"), normalised.
    allowed_networks = models.JSONField(default=list, blank=True)
    password_sign_in_allowed = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)
    objects = TenantManager()

    def __str__(self) -> str:
        return f"Sign-in policy of {self.tenant_id}"


class Invitation(models.Model):
    """A single-use link that lets a member of a company set their first password
    (kluis/identity/invitations.py). The link's token is never stored: `token_hash` is
    its SHA-256, and the mail task derives the token again from `nonce` with the secret
    key, so a copy of the database alone opens no invitation."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    membership = models.ForeignKey(
        "tenancy.Membership", on_delete=models.CASCADE, related_name="invitations"
    )
    nonce = models.CharField(max_length=64)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.CharField(max_length=254, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    objects = TenantManager()

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["tenant", "accepted_at", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"invitation {self.pk} of membership {self.membership_id}"

    def is_pending(self, now: dt.datetime) -> bool:
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now


# App tokens' tables live in a module of their own (kluis/identity/app_token_models.py).
from kluis.identity.app_token_models import (  # noqa: E402
    AppRefreshToken,
    AppSigningKey,
    AppTokenFamily,
)

# Single sign-on per company (issue 13), in a module of its own.
from kluis.identity.sso.models import IdentityProvider, SignInDomain  # noqa: E402

__all__ = [
    "AddressFailures",
    "AppRefreshToken",
    "AppSigningKey",
    "AppTokenFamily",
    "IdentityProvider",
    "KnownDevice",
    "SignInDomain",
    "SignInFailures",
    "SignInPolicy",
    "UsedTotpCode",
    "User",
    "UserManager",
]
