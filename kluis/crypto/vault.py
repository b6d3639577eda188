"""Sealing sensitive fields: AES-256-GCM under a data key per company, blind indexes.

    token = vault.seal(tenant_id, "people.employee.national_id", "85073003328")
    vault.unseal(tenant_id, "people.employee.national_id", token)  # -> "85073003328"

A token is "k1." + unpadded URL-safe base64 of (key version: 4 bytes | nonce: 12 bytes |
ciphertext + 16-byte tag). The company id, the key version and the purpose are the
associated data, so a token copied to another field or company does not open.

Unwrapped data keys are cached in process memory per company and version (they are
re-read after `settings.DATA_KEY_CACHE_SECONDS`, so another process's new version or
destruction reaches this one), so seal and unseal cost microseconds and no query. A key
made in a transaction that has not committed yet is never cached: if that transaction
rolls back, nothing may go on sealing with a key the database does not have.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import os
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import IntegrityError, connection, transaction

from kluis.crypto import keyring
from kluis.crypto.models import TenantKey

TOKEN_PREFIX = "k1."  # noqa: S105  (a format marker, not a secret)
DATA_KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
_VERSION = struct.Struct(">I")
_IDS = struct.Struct(">QI")  # company id, key version
_LENGTH = struct.Struct(">H")
_SEAL_AAD = b"kluis seal v1\x00"
_WRAP_AAD = b"kluis data key v1\x00"
_MIN_TOKEN_BYTES = _VERSION.size + NONCE_BYTES + TAG_BYTES
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_CREATE_ATTEMPTS = 5


class TamperedError(ValueError):
    """A sealed value that does not authenticate: altered, moved to another field or
    company, or sealed with a data key that no longer exists."""


class UnknownKeyError(TamperedError):
    """The token names a data key version this company does not have (destroyed by
    `destroy_tenant_keys`, or the token belongs elsewhere)."""


@dataclass(slots=True, eq=False)
class DataKey:
    """An unwrapped data key, ready to use: the sealing key and the blind-index key are
    derived from it with HKDF, so the two never share key material."""

    tenant_id: int
    version: int
    aead: AESGCM
    index: hmac.HMAC
    header: bytes
    expires: float


# (company, version) -> key; company -> its active key; company -> its first key (index).
_by_version: dict[tuple[int, int], DataKey] = {}
_active: dict[int, DataKey] = {}
_first: dict[int, DataKey] = {}
# Keys this process made in a transaction that has not committed: never cached.
_uncommitted: dict[tuple[int, int], bytes] = {}


# --- The API --------------------------------------------------------------------------
def seal(tenant_id: int, purpose: str, plaintext: str | None) -> str | None:
    """Encrypt `plaintext` for this company and purpose; None stays None."""
    if plaintext is None:
        return None
    key = _active.get(tenant_id)
    if key is None or key.expires < time.monotonic():
        key = _active_key_from_db(tenant_id)
    nonce = os.urandom(NONCE_BYTES)
    body = key.aead.encrypt(nonce, plaintext.encode("utf-8"), _aad(tenant_id, key.version, purpose))
    return TOKEN_PREFIX + base64.urlsafe_b64encode(key.header + nonce + body).rstrip(b"=").decode(
        "ascii"
    )


def unseal(tenant_id: int, purpose: str, token: str | None) -> str | None:
    """The plaintext of a token made by `seal` for the same company and purpose.

    Raises TamperedError (a ValueError) when the token does not authenticate."""
    if token is None:
        return None
    raw = _decode(token)
    (version,) = _VERSION.unpack_from(raw)
    key = _by_version.get((tenant_id, version))
    if key is None or key.expires < time.monotonic():
        key = _key_version_from_db(tenant_id, version)
    start = _VERSION.size
    try:
        plaintext = key.aead.decrypt(
            raw[start : start + NONCE_BYTES],
            raw[start + NONCE_BYTES :],
            _aad(tenant_id, version, purpose),
        )
    except InvalidTag:
        raise TamperedError(
            "the sealed value does not open: it was altered, or it belongs to another "
            "field or company"
        ) from None
    return plaintext.decode("utf-8")


def blind_index(tenant_id: int, purpose: str, normalized: str) -> str:
    """Hex HMAC-SHA256 of a normalised value with the company's index key: equal values
    give equal indexes within one company and purpose, and nothing across them.

    The index key comes from the company's first data key, so indexes stay the same when
    a new data key version comes in; they die with `destroy_tenant_keys`."""
    key = _first.get(tenant_id)
    if key is None or key.expires < time.monotonic():
        key = _first_key_from_db(tenant_id)
    label = purpose.encode("utf-8")
    mac = key.index.copy()
    mac.update(_LENGTH.pack(len(label)) + label + normalized.encode("utf-8"))
    return mac.hexdigest()


def ensure_tenant_key(tenant_id: int) -> None:
    """Make the company's data key if it has none (seal does this too, on first use)."""
    _active_key_from_db(tenant_id)


def destroy_tenant_keys(tenant_id: int) -> None:
    """Crypto-shredding: delete every data key of the company, so nothing sealed for it
    can be opened again (backups too, once the master key is rotated with --retire-old)."""
    from kluis.access.actor import Actor
    from kluis.audit.services import record
    from kluis.tenancy.models import Tenant

    with transaction.atomic():
        keys = TenantKey.objects.for_tenant(tenant_id)
        versions = list(keys.order_by("version").values_list("version", flat=True))
        with _secure_delete():
            keys.delete()
        tenant = Tenant.objects.filter(pk=tenant_id).first()
        if tenant is not None and versions:
            record(
                Actor.system("crypto:destroy_tenant_keys", tenant),
                "crypto.keys_destroyed",
                tenant=tenant,
                object_type="crypto.tenantkey",
                object_repr="every data key of the company",
                changes={"versions": versions},
            )
        transaction.on_commit(lambda: forget_keys(tenant_id))
    forget_keys(tenant_id)


# --- Data key versions ----------------------------------------------------------------
def rotate_data_key(tenant_id: int, *, actor_label: str) -> int:
    """Make a new data key version and seal with it from now on; older tokens still open
    because they name their version. Returns the new version."""
    for _attempt in range(_CREATE_ATTEMPTS):
        try:
            key = _create_version(tenant_id, replace_active=True, actor_label=actor_label)
        except IntegrityError:
            continue
        assert key is not None
        forget_keys(tenant_id)
        transaction.on_commit(lambda: forget_keys(tenant_id))
        return key.version
    raise RuntimeError(f"could not make a new data key for company {tenant_id}")


def wrap_data_key(master: keyring.MasterKey, tenant_id: int, version: int, secret: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    aad = _WRAP_AAD + _IDS.pack(tenant_id, version)
    return nonce + AESGCM(master.secret).encrypt(nonce, secret, aad)


def unwrap_data_key(master: keyring.MasterKey, row: TenantKey) -> bytes:
    wrapped = bytes(row.wrapped_key)
    aad = _WRAP_AAD + _IDS.pack(row.tenant_id, row.version)
    try:
        return AESGCM(master.secret).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
    except InvalidTag:
        raise TamperedError(
            f"data key v{row.version} of company {row.tenant_id} does not unwrap with master "
            f"key {master.id}: the stored key was altered"
        ) from None


def unwrap_row(row: TenantKey) -> bytes:
    """The data key of a row, unwrapped by the master key it names."""
    return unwrap_data_key(keyring.find(row.master_key_id), row)


def forget_keys(tenant_id: int | None = None) -> None:
    """Drop cached data keys (of one company, or all): after a new version or a
    destruction here, and in tests."""
    if tenant_id is None:
        _by_version.clear()
        _active.clear()
        _first.clear()
        return
    for cache_key in [k for k in _by_version if k[0] == tenant_id]:
        _by_version.pop(cache_key, None)
    _active.pop(tenant_id, None)
    _first.pop(tenant_id, None)


# --- Internals ------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _aad(tenant_id: int, version: int, purpose: str) -> bytes:
    """The associated data binding a token to its company, key version and purpose (the
    same bytes for every value of a page: made once)."""
    return _SEAL_AAD + _IDS.pack(tenant_id, version) + purpose.encode("utf-8")


def _decode(token: str) -> bytes:
    if not isinstance(token, str) or not token.startswith(TOKEN_PREFIX):
        raise TamperedError("not a sealed value")
    try:
        body = token[len(TOKEN_PREFIX) :].encode("ascii").translate(_FROM_URLSAFE)
        raw = binascii.a2b_base64(body + b"=" * (-len(body) % 4), strict_mode=True)
    except (binascii.Error, ValueError):
        raise TamperedError("the sealed value is damaged") from None
    if len(raw) < _MIN_TOKEN_BYTES:
        raise TamperedError("the sealed value is too short")
    return raw


def _derive(secret: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


def _fingerprint(secret: bytes) -> bytes:
    return hashlib.sha256(b"kluis data key fingerprint\x00" + secret).digest()


def _data_key(tenant_id: int, version: int, secret: bytes) -> DataKey:
    return DataKey(
        tenant_id=tenant_id,
        version=version,
        aead=AESGCM(_derive(secret, b"kluis seal key v1")),
        index=hmac.new(_derive(secret, b"kluis blind index key v1"), digestmod=hashlib.sha256),
        header=_VERSION.pack(version),
        expires=time.monotonic() + settings.DATA_KEY_CACHE_SECONDS,
    )


def _load(row: TenantKey, *, first: bool = False) -> DataKey:
    """Unwrap a row and cache it, unless this process made it in a transaction that has
    not committed (a rollback would leave the cache with a key the database lacks)."""
    secret = unwrap_row(row)
    key = _data_key(row.tenant_id, row.version, secret)
    if _uncommitted.get((row.tenant_id, row.version)) != _fingerprint(secret):
        _by_version[(row.tenant_id, row.version)] = key
        if row.is_active:
            _active[row.tenant_id] = key
        if first or row.version == 1:
            _first[row.tenant_id] = key
    return key


def _active_key_from_db(tenant_id: int) -> DataKey:
    for _attempt in range(_CREATE_ATTEMPTS):
        row = TenantKey.objects.for_tenant(tenant_id).filter(is_active=True).first()
        if row is not None:
            return _load(row)
        try:
            key = _create_version(
                tenant_id, replace_active=False, actor_label="crypto:ensure_tenant_key"
            )
        except IntegrityError:
            continue  # another process made it at the same moment: read theirs
        if key is not None:
            return key
    raise RuntimeError(f"could not make or read the data key of company {tenant_id}")


def _key_version_from_db(tenant_id: int, version: int) -> DataKey:
    row = TenantKey.objects.for_tenant(tenant_id).filter(version=version).first()
    if row is None:
        raise UnknownKeyError(
            f"company {tenant_id} has no data key v{version}: it was destroyed, or the "
            "sealed value belongs to another company"
        )
    return _load(row)


def _first_key_from_db(tenant_id: int) -> DataKey:
    row = TenantKey.objects.for_tenant(tenant_id).order_by("version").first()
    if row is None:
        _active_key_from_db(tenant_id)
        row = TenantKey.objects.for_tenant(tenant_id).order_by("version").first()
        assert row is not None
    return _load(row, first=True)


def _create_version(tenant_id: int, *, replace_active: bool, actor_label: str) -> DataKey | None:
    """Insert the company's next data key version and make it the active one.

    Without `replace_active`, returns None when the company already has an active key.
    Two processes racing here meet the unique constraints: one gets IntegrityError (its
    savepoint rolls back) and retries."""
    from kluis.access.actor import Actor
    from kluis.audit.services import record
    from kluis.tenancy.models import Tenant

    secret = os.urandom(DATA_KEY_BYTES)
    with transaction.atomic():
        tenant = Tenant.objects.get(pk=tenant_id)
        existing = list(
            TenantKey.objects.for_tenant(tenant_id)
            .select_for_update()
            .values_list("version", "is_active")
        )
        previous = next((version for version, active in existing if active), None)
        if previous is not None and not replace_active:
            return None
        version = max((v for v, _active in existing), default=0) + 1
        if previous is not None:
            TenantKey.objects.for_tenant(tenant_id).filter(is_active=True).update(is_active=False)
        master = keyring.for_wrapping()
        row = TenantKey.objects.create(
            tenant_id=tenant_id,
            version=version,
            wrapped_key=wrap_data_key(master, tenant_id, version, secret),
            master_key_id=master.id,
            is_active=True,
        )
        latest = keyring.for_wrapping()
        if latest.id != master.id:
            # A master key rotation finished while this insert waited for its lock: wrap
            # with the new key, or `--retire-old` would have removed the one used above.
            row.wrapped_key = wrap_data_key(latest, tenant_id, version, secret)
            row.master_key_id = latest.id
            row.save(update_fields=["wrapped_key", "master_key_id"])
        record(
            Actor.system(actor_label, tenant),
            "crypto.data_key_created",
            tenant=tenant,
            target=row,
            changes={
                "version": {"old": previous, "new": version},
                "master_key_id": row.master_key_id,
            },
        )
        fingerprint = _fingerprint(secret)
        _uncommitted[(tenant_id, version)] = fingerprint
        transaction.on_commit(lambda: _committed(tenant_id, version, fingerprint))
    return _data_key(tenant_id, version, secret)


def _committed(tenant_id: int, version: int, fingerprint: bytes) -> None:
    if _uncommitted.get((tenant_id, version)) == fingerprint:
        del _uncommitted[(tenant_id, version)]


@contextlib.contextmanager
def _secure_delete() -> Iterator[None]:
    """SQLite keeps deleted rows in free pages unless told to overwrite them."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA secure_delete = {int(before)}")
