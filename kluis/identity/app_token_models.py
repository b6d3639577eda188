"""The tables of app tokens (kluis/identity/app_tokens.py): the keys that sign them, one
family per app sign-in, and each refresh token issued in a family."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models


class AppSigningKey(models.Model):
    """A key pair that signs app tokens (JWT, ES256). Every web node reads the same rows:
    the newest key signs, every key not yet past `verify_until` verifies. The public key is
    stored in clear (it is published as the JWKS); the private key is sealed with the
    platform's master key (kluis.crypto.keyring) named by `master_key_id`."""

    kid = models.CharField(max_length=64, unique=True)
    algorithm = models.CharField(max_length=8, default="ES256")
    public_key = models.TextField()  # PEM (SubjectPublicKeyInfo)
    sealed_private_key = models.BinaryField()  # a platform_seal token of the PKCS#8 DER
    master_key_id = models.CharField(max_length=40)
    created_at = models.DateTimeField()
    # Set when a newer key takes over signing: tokens it signed are then accepted until
    # they have all expired (`verify_until`), after which the row is deleted.
    retired_at = models.DateTimeField(null=True, blank=True)
    verify_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar[list[str]] = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.algorithm} {self.kid}"


class AppTokenFamily(models.Model):
    """Every token descending from one app sign-in (one allauth headless session). A
    refresh token presented a second time revokes the family: its newest refresh token
    and every access token it issued stop working."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # The Django session of the sign-in (as django_session keeps it): ending the session
    # ends the family, and revoking the family ends the session.
    session_key = models.CharField(max_length=40, db_index=True)
    # The company the tokens act in (the member's choice at sign-in, else their first).
    tenant_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes: ClassVar[list[models.Index]] = [
            models.Index(fields=["user", "revoked_at"], name="app_family_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.id}"


class AppRefreshToken(models.Model):
    """One refresh token of a family, by its `jti` (the token itself is never stored);
    `used_at` is set when it is exchanged: presenting it again is reuse."""

    jti = models.CharField(max_length=64, unique=True)
    family = models.ForeignKey(AppTokenFamily, on_delete=models.CASCADE, related_name="refresh")
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.family_id}: {self.jti[:8]}…"
