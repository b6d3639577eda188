"""People who can sign in. A user belongs to companies through memberships (tenancy)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models


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


# Single sign-on per company (issue 13), in a module of its own.
from kluis.identity.sso.models import IdentityProvider, SignInDomain  # noqa: E402

__all__ = [
    "AddressFailures",
    "IdentityProvider",
    "KnownDevice",
    "SignInDomain",
    "SignInFailures",
    "User",
    "UserManager",
]
