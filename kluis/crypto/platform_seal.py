"""Sealing secrets that belong to a person rather than a company (a TOTP secret, the seed
of their recovery codes: one account may be a member of several companies) under the
platform's master key.

    token = platform_seal.seal("mfa", "JBSWY3DPEHPK3PXP")
    platform_seal.unseal("mfa", token)  # -> "JBSWY3DPEHPK3PXP"

A token is "m1." + the master key id + "." + unpadded URL-safe base64 of (nonce: 12 bytes |
ciphertext + 16-byte tag), AES-256-GCM under a key derived from the master key for the
purpose (HKDF-SHA256); the purpose and the master key id are the associated data, so a
token does not open for another purpose. A master key rotation re-seals every token under
the new key before the old one may be retired: each kind of sealed secret registers a
resealer (`register_resealer`), which `kluis keys rotate` runs (kluis/crypto/rotation.py).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kluis.crypto import keyring
from kluis.crypto.vault import TamperedError

PREFIX = "m1."
_NONCE_BYTES = 12
_INFO = b"kluis platform seal v1\x00"

# Each re-seals its kind of token under `active_id` when sealed by another key; returns
# how many it re-sealed.
Resealer = Callable[[str], int]
_resealers: dict[str, Resealer] = {}


def register_resealer(name: str, resealer: Resealer) -> None:
    _resealers[name] = resealer


def reseal_all(active_id: str) -> dict[str, int]:
    return {name: resealer(active_id) for name, resealer in sorted(_resealers.items())}


def _key(master: keyring.MasterKey, purpose: str) -> bytes:
    info = _INFO + purpose.encode()
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master.secret)


def _aad(purpose: str, master_key_id: str) -> bytes:
    return _INFO + purpose.encode() + b"\x00" + master_key_id.encode()


def is_sealed(value: object) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def master_key_id(token: str) -> str:
    if not is_sealed(token) or token.count(".") != 2:
        raise TamperedError("not a sealed value")
    return token.split(".")[1]


def seal(purpose: str, plaintext: str) -> str:
    master = keyring.for_wrapping()
    nonce = os.urandom(_NONCE_BYTES)
    sealed = AESGCM(_key(master, purpose)).encrypt(
        nonce, plaintext.encode(), _aad(purpose, master.id)
    )
    body = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode()
    return f"{PREFIX}{master.id}.{body}"


def unseal(purpose: str, token: str) -> str:
    """The plaintext; TamperedError for anything this purpose's keys did not seal."""
    key_id = master_key_id(token)
    try:
        master = keyring.find(key_id)
    except keyring.KeyringError:
        raise TamperedError(f"sealed by master key {key_id}, which is not in the keyring") from None
    body = token.split(".")[2]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        opened = AESGCM(_key(master, purpose)).decrypt(
            raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(purpose, key_id)
        )
    except (binascii.Error, ValueError, InvalidTag):
        raise TamperedError("the sealed value does not open") from None
    return opened.decode()


def reseal(purpose: str, token: str, active_id: str) -> str | None:
    """`token` sealed again under the active key, or None when it already is."""
    if master_key_id(token) == active_id:
        return None
    return seal(purpose, unseal(purpose, token))
