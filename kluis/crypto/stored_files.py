"""Stored files sealed on this node before they are written anywhere (local disk or S3),
opened again when read: `SealedStorage` wraps whichever backend holds the bytes and is
Django's default storage (kluis/settings_storage.py).

A sealed file is

    MAGIC | company id: 8 bytes | token length: 2 bytes | token | nonce: 12 bytes |
    AES-256-GCM ciphertext + 16-byte tag

A fresh 32-byte key per file encrypts the content with AES-256-GCM; the key is sealed with
`vault.seal` under the company's data key (the token names its data key version, and the
company's data keys are wrapped by the master key ring, so `kluis keys rotate` re-wraps
them without touching any file, and `vault.destroy_tenant_keys` makes the company's files
unreadable with the rest of its sealed data). The file's name is in the token's purpose and
in the content's associated data, so a file put under another name, an altered byte or a
changed company id does not open: reading raises `TamperedStoredFile` and returns nothing of
the content (the whole file is authenticated before any of it is returned).

Which company a file belongs to comes with what is saved: `CompanyFile(data, company_id)`.
Saving anything else is refused, so no file is ever written in the clear. Files written
before sealing existed (plain JPEGs under MEDIA_ROOT) still open as they are on the local
file system, never from S3, where no file was ever stored unsealed; `seal_unsealed` (the
command `kluis manage seal_stored_files`, and a restore onto S3) seals them where they lie,
for the company the app that stored them names (`register_owner`).
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible

from kluis.crypto import vault
from kluis.operations import storage
from kluis.operations.storage import build_backend, checked_name, save_exactly

MAGIC = b"KLUIS-SEALED-FILE\x00v1\x00"
PURPOSE = "crypto.stored_file:"
FILE_KEY_BYTES = 32
NONCE_BYTES = 12
_HEADER = struct.Struct(">QH")  # company id, token length
_MIN_BYTES = len(MAGIC) + _HEADER.size + NONCE_BYTES + 16


class TamperedStoredFile(vault.TamperedError):
    """A stored file that does not open: altered, put under another name or company,
    sealed with a data key that no longer exists, or (on S3) not sealed at all."""


class CompanyFile(ContentFile):
    """Content to store for one company: what `SealedStorage` seals under its data key."""

    def __init__(self, content: bytes, company_id: int, name: str | None = None) -> None:
        super().__init__(content, name=name)
        self.company_id = int(company_id)


def is_sealed(data: bytes) -> bool:
    return data.startswith(MAGIC)


def seal_file(company_id: int, name: str, content: bytes) -> bytes:
    """The sealed bytes of `content`, stored as `name` for the company."""
    file_key = AESGCM.generate_key(bit_length=256)
    token = vault.seal(company_id, PURPOSE + name, base64.b64encode(file_key).decode("ascii"))
    assert token is not None
    token_bytes = token.encode("ascii")
    header = MAGIC + _HEADER.pack(company_id, len(token_bytes)) + token_bytes
    nonce = os.urandom(NONCE_BYTES)
    body = AESGCM(file_key).encrypt(nonce, content, _aad(header, name))
    return header + nonce + body


def open_file(name: str, sealed: bytes) -> bytes:
    """The content of a file `seal_file` made for `name`; TamperedStoredFile otherwise."""
    if len(sealed) < _MIN_BYTES or not is_sealed(sealed):
        raise TamperedStoredFile(f"the stored file {name} is not a sealed file")
    company_id, token_length = _HEADER.unpack_from(sealed, len(MAGIC))
    start = len(MAGIC) + _HEADER.size
    token_bytes = sealed[start : start + token_length]
    header = sealed[: start + token_length]
    rest = sealed[start + token_length :]
    if len(token_bytes) != token_length or len(rest) < NONCE_BYTES + 16:
        raise TamperedStoredFile(f"the stored file {name} is cut short")
    try:
        wrapped = vault.unseal(company_id, PURPOSE + name, token_bytes.decode("ascii"))
        file_key = base64.b64decode(wrapped or "", validate=True)
    except (vault.TamperedError, UnicodeDecodeError, binascii.Error):
        raise TamperedStoredFile(
            f"the key of the stored file {name} does not open: the file was altered, put "
            "under another name, or its company's keys were destroyed"
        ) from None
    if len(file_key) != FILE_KEY_BYTES:
        raise TamperedStoredFile(f"the key of the stored file {name} is damaged")
    try:
        return AESGCM(file_key).decrypt(rest[:NONCE_BYTES], rest[NONCE_BYTES:], _aad(header, name))
    except InvalidTag:
        raise TamperedStoredFile(
            f"the stored file {name} does not open: it was altered or put under another name"
        ) from None


def _aad(header: bytes, name: str) -> bytes:
    return header + b"\x00" + name.encode("utf-8")


@deconstructible(path="kluis.crypto.stored_files.SealedStorage")
class SealedStorage(Storage):
    """Django storage that seals every file before its backend writes it and opens it when
    read. `backend` and `options` name the storage that holds the bytes (`raw`)."""

    def __init__(
        self,
        backend: str = "django.core.files.storage.FileSystemStorage",
        options: dict[str, Any] | None = None,
    ) -> None:
        self.backend = backend
        self.options = dict(options or {})
        self.raw: Storage = build_backend(backend, self.options)

    @property
    def accepts_unsealed(self) -> bool:
        """Files from before sealing: only on the file system, where they were written."""
        return isinstance(self.raw, FileSystemStorage)

    # --- Writing and reading ----------------------------------------------------------
    def _save(self, name: str, content: File) -> str:
        company_id = getattr(content, "company_id", None)
        if not isinstance(company_id, int):
            raise ValueError(
                "a stored file belongs to a company: save a CompanyFile(data, company_id) "
                "so it can be sealed under that company's key"
            )
        checked_name(name)
        if hasattr(content, "seek"):
            content.seek(0)
        data = b"".join(
            chunk if isinstance(chunk, bytes) else chunk.encode() for chunk in content.chunks()
        )
        sealed = seal_file(company_id, name, data)
        save_exactly(self.raw, name, sealed)  # sealed for `name`: never kept elsewhere
        return name

    def _open(self, name: str, mode: str = "rb") -> File:
        if mode not in {"r", "rb"}:
            raise ValueError("stored files are written with save(), not opened for writing")
        with self.raw.open(name, "rb") as handle:
            data = bytes(handle.read())
        if is_sealed(data):
            return ContentFile(open_file(name, data), name=name)
        if self.accepts_unsealed:
            return ContentFile(data, name=name)
        raise TamperedStoredFile(f"the stored file {name} is not a sealed file")

    # --- The rest is the backend's ----------------------------------------------------
    def delete(self, name: str) -> None:
        self.raw.delete(name)

    def exists(self, name: str) -> bool:
        return self.raw.exists(name)

    def listdir(self, path: str) -> tuple[list[str], list[str]]:
        return self.raw.listdir(path)

    def size(self, name: str) -> int:
        with self.open(name) as handle:
            return int(handle.size)

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        return self.raw.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name: str) -> str:
        return self.raw.get_valid_name(name)

    def generate_filename(self, filename: str | os.PathLike[str]) -> str:
        return self.raw.generate_filename(filename)

    def get_accessed_time(self, name: str) -> datetime:
        return self.raw.get_accessed_time(name)

    def get_created_time(self, name: str) -> datetime:
        return self.raw.get_created_time(name)

    def get_modified_time(self, name: str) -> datetime:
        return self.raw.get_modified_time(name)

    def url(self, name: str | None) -> str:
        raise ValueError(
            "stored files have no URL: Kluis serves them only through views that check permissions"
        )

    def path(self, name: str) -> str:
        raise NotImplementedError("stored files are sealed: open them through the storage")


# --- Files stored before sealing ------------------------------------------------------
# Each app that stores files names the company of those of its files among `names`.
Owner = Callable[[list[str]], dict[str, int]]
_owners: dict[str, Owner] = {}


def register_owner(label: str, owner: Owner) -> None:
    _owners[label] = owner


@dataclass
class SealReport:
    sealed: int = 0
    already: int = 0
    unowned: list[str] = field(default_factory=list)  # names no app claims: left as they are


def seal_unsealed(target: Storage | None = None) -> SealReport:
    """Seal, where it lies and under the same name, every stored file that is not sealed
    yet, for the company its app names. Idempotent; a file no app claims is left alone
    (and reported)."""
    raw = storage.raw_storage(target)
    report = SealReport()
    pending: dict[str, bytes] = {}
    for name in storage.all_names(raw):
        data = storage.read_raw(raw, name)
        if data is None:
            continue
        if is_sealed(data):
            report.already += 1
        else:
            pending[name] = data
    if not pending:
        return report
    companies: dict[str, int] = {}
    for owner in _owners.values():
        companies.update(owner(sorted(pending)))
    for name, data in pending.items():
        company_id = companies.get(name)
        if company_id is None:
            report.unowned.append(name)
            continue
        storage.write_raw(raw, name, seal_file(company_id, name, data))
        report.sealed += 1
    return report
