"""The keys that sign app tokens (ES256), shared by every node through the database.

- The newest key signs; its `kid` goes in every token's header. A key older than
  settings.APP_TOKEN_KEY_ROTATION_DAYS is replaced when the next token is signed, or
  ahead of time by `manage.py rotate_app_token_keys` / `kluis rotate-app-token-keys`.
- A replaced key still verifies the tokens it signed until the longest of them has
  expired (`verify_until` = retirement + refresh token lifetime), then it is deleted.
- The private key is sealed with the platform's master key (kluis/crypto/platform_seal.py:
  AES-256-GCM, the master key id and the kid as associated data); verifying needs only
  the public key, which is published as a JWKS (`jwks()`, served at /auth/app/jwks.json).

Public keys are cached per process for a minute (they never change; a deleted key stops
verifying within that minute at most, and its tokens have expired by then anyway).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
import time
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kluis.crypto import platform_seal
from kluis.identity.app_token_models import AppSigningKey

ALGORITHM = "ES256"
CACHE_SECONDS = 60

_lock = threading.Lock()
_cache: dict[str, Any] = {"signer": None, "signer_at": 0.0, "verifiers": {}, "verifiers_at": 0.0}


@dataclass(frozen=True)
class Signer:
    kid: str
    private_key: ec.EllipticCurvePrivateKey


def rotation_age() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "APP_TOKEN_KEY_ROTATION_DAYS", 30)))


def longest_token_lifetime() -> dt.timedelta:
    return dt.timedelta(
        seconds=max(
            int(settings.HEADLESS_JWT_ACCESS_TOKEN_EXPIRES_IN),
            int(settings.HEADLESS_JWT_REFRESH_TOKEN_EXPIRES_IN),
        )
    )


def _b64(number: int) -> str:
    return base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()


def public_jwk(public_key: ec.EllipticCurvePublicKey, kid: str) -> dict[str, str]:
    numbers = public_key.public_numbers()
    return {
        "kty": "EC",
        "crv": "P-256",
        "x": _b64(numbers.x),
        "y": _b64(numbers.y),
        "kid": kid,
        "alg": ALGORITHM,
        "use": "sig",
    }


def thumbprint(public_key: ec.EllipticCurvePublicKey) -> str:
    """The key's RFC 7638 thumbprint: its `kid`."""
    jwk = public_jwk(public_key, "")
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")}, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _purpose(kid: str) -> str:
    return f"app token signing key {kid}"


def _seal(private_key: ec.EllipticCurvePrivateKey, kid: str) -> tuple[bytes, str]:
    """The private key sealed under the active master key (kluis.crypto.platform_seal,
    the key's `kid` in the associated data), and that master key's id."""
    der = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    token = platform_seal.seal(_purpose(kid), base64.b64encode(der).decode())
    return token.encode(), platform_seal.master_key_id(token)


def _unseal(row: AppSigningKey) -> ec.EllipticCurvePrivateKey | None:
    """The private key of a row; None when its master key is gone, it was altered, or it
    was sealed before platform_seal (such a key verifies but no longer signs: a new one
    is made at the next signing)."""
    try:
        token = bytes(row.sealed_private_key).decode()
        der = base64.b64decode(platform_seal.unseal(_purpose(row.kid), token))
    except (UnicodeDecodeError, ValueError):  # TamperedError is a ValueError
        return None
    key = serialization.load_der_private_key(der, password=None)
    return key if isinstance(key, ec.EllipticCurvePrivateKey) else None


def reseal(active_id: str) -> int:
    """Seal every signing key under the active master key (a master key rotation, before
    the old key is retired); how many were sealed again."""
    count = 0
    with transaction.atomic():
        for row in AppSigningKey.objects.select_for_update().exclude(master_key_id=active_id):
            try:
                token = platform_seal.reseal(
                    _purpose(row.kid), bytes(row.sealed_private_key).decode(), active_id
                )
            except (UnicodeDecodeError, ValueError):
                continue  # one that no longer opens: it verifies, a new key signs
            if token is not None:
                row.sealed_private_key = token.encode()
                row.master_key_id = active_id
                row.save(update_fields=["sealed_private_key", "master_key_id"])
                count += 1
    forget()
    return count


def create_key(now: dt.datetime | None = None) -> AppSigningKey:
    """A new signing key, which signs from now on; the keys before it retire (they verify
    until every token they signed has expired). One transaction."""
    now = now or timezone.now()
    private_key = ec.generate_private_key(ec.SECP256R1())
    public_key = private_key.public_key()
    kid = thumbprint(public_key)
    sealed, master_key_id = _seal(private_key, kid)
    with transaction.atomic():
        AppSigningKey.objects.filter(retired_at__isnull=True).update(
            retired_at=now, verify_until=now + longest_token_lifetime()
        )
        row = AppSigningKey.objects.create(
            kid=kid,
            algorithm=ALGORITHM,
            public_key=public_key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode(),
            sealed_private_key=sealed,
            master_key_id=master_key_id,
            created_at=now,
        )
    forget()
    return row


def delete_expired(now: dt.datetime | None = None) -> int:
    """Delete the retired keys whose tokens have all expired; how many."""
    now = now or timezone.now()
    deleted, _kinds = AppSigningKey.objects.filter(verify_until__lte=now).delete()
    if deleted:
        forget()
    return deleted


def rotate(now: dt.datetime | None = None) -> tuple[AppSigningKey, int]:
    """A new signing key now, and the keys no longer needed deleted: (new key, deleted)."""
    return create_key(now), delete_expired(now)


def signer() -> Signer:
    """The key to sign with: the newest, replaced first when it is older than the rotation
    age or cannot be opened (its master key retired). Cached for a minute per process."""
    now_monotonic = time.monotonic()
    cached: Signer | None = _cache["signer"]
    if cached is not None and now_monotonic - _cache["signer_at"] < CACHE_SECONDS:
        return cached
    now = timezone.now()
    row = AppSigningKey.objects.filter(retired_at__isnull=True).first()
    private_key = _unseal(row) if row is not None else None
    if row is None or private_key is None or now - row.created_at >= rotation_age():
        with transaction.atomic():
            # One node makes the new key; the others wait here and then use it.
            list(AppSigningKey.objects.select_for_update().filter(retired_at__isnull=True))
            newest = AppSigningKey.objects.filter(retired_at__isnull=True).first()
            if newest is not None and newest.pk != getattr(row, "pk", None):
                row, private_key = newest, _unseal(newest)
            if row is None or private_key is None or now - row.created_at >= rotation_age():
                row = create_key(now)
                private_key = _unseal(row)
        delete_expired(now)
    assert row is not None and private_key is not None
    found = Signer(kid=row.kid, private_key=private_key)
    if not transaction.get_connection().in_atomic_block:
        # Only a committed key is kept: inside a transaction that may yet roll back,
        # this process must not go on signing with a key the database may not keep.
        with _lock:
            _cache.update(signer=found, signer_at=now_monotonic)
    return found


def _verifiers() -> dict[str, ec.EllipticCurvePublicKey]:
    now_monotonic = time.monotonic()
    if now_monotonic - _cache["verifiers_at"] < CACHE_SECONDS:
        return dict(_cache["verifiers"])
    now = timezone.now()
    found: dict[str, ec.EllipticCurvePublicKey] = {}
    for kid, pem in AppSigningKey.objects.exclude(verify_until__lte=now).values_list(
        "kid", "public_key"
    ):
        key = serialization.load_pem_public_key(pem.encode())
        if isinstance(key, ec.EllipticCurvePublicKey):
            found[kid] = key
    with _lock:
        _cache.update(verifiers=found, verifiers_at=now_monotonic)
    return dict(found)


def verifying_key(kid: str) -> ec.EllipticCurvePublicKey | None:
    """The public key named `kid`, while it may verify. A kid not among the cached keys
    is looked up by itself (another node may just have made it): one indexed query."""
    key = _verifiers().get(kid)
    if key is not None or len(kid) > 64:
        return key
    pem = (
        AppSigningKey.objects.filter(kid=kid)
        .exclude(verify_until__lte=timezone.now())
        .values_list("public_key", flat=True)
        .first()
    )
    if pem is None:
        return None
    loaded = serialization.load_pem_public_key(pem.encode())
    return loaded if isinstance(loaded, ec.EllipticCurvePublicKey) else None


def jwks() -> dict[str, list[dict[str, str]]]:
    """The public keys that verify app tokens, as a JSON Web Key Set (RFC 7517)."""
    return {"keys": [public_jwk(key, kid) for kid, key in _verifiers().items()]}


def forget() -> None:
    """Drop this process's cached keys (after a rotation, and in tests)."""
    with _lock:
        _cache.update(signer=None, signer_at=0.0, verifiers={}, verifiers_at=0.0)
