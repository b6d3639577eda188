"""Master keys (key-encryption keys): where they come from, the keyring file, reloading.

Master keys never enter the database. They come from `KLUIS_MASTER_KEY` (base64 of 32
bytes; several comma-separated, the first active), else from a keyring file: the one
`KLUIS_MASTER_KEY_FILE` names, else `<DATA_DIR>/master_keys`, which development and test
make on first use and production never makes (see docs/decisions/0004).

The file functions only need the standard library, so `kluis up` can make the development
keyring before Django's settings load. Key ids are derived from the keys, so an id names
exactly one key and a hand-edited entry is noticed.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32
KEYRING_FILE_NAME = "master_keys"
FILE_FORMAT = "kluis-master-keys/1"
ENV_SOURCE = "KLUIS_MASTER_KEY"


class KeyringError(ImproperlyConfigured):
    """The master keys are missing or unusable: a configuration problem, one line."""


@dataclass(frozen=True)
class MasterKey:
    id: str
    secret: bytes = field(repr=False)
    created_at: str = ""


def key_id(secret: bytes) -> str:
    """A public name for a key: a truncated hash, so ids never collide and reveal nothing."""
    return "mk-" + hashlib.sha256(b"kluis master key id\x00" + secret).hexdigest()[:16]


def new_master_key() -> MasterKey:
    secret = os.urandom(KEY_BYTES)
    return MasterKey(key_id(secret), secret, _now())


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def decode_key(text: str, where: str) -> bytes:
    """Base64 (standard or URL-safe, padding optional) of exactly 32 bytes."""
    value = "".join(text.split()).replace("-", "+").replace("_", "/")
    try:
        secret = binascii.a2b_base64(value + "=" * (-len(value) % 4), strict_mode=True)
    except (binascii.Error, ValueError):
        raise KeyringError(
            f"{where} is not base64 (make a key with `openssl rand -base64 32`)"
        ) from None
    if len(secret) != KEY_BYTES:
        raise KeyringError(
            f"{where} must be {KEY_BYTES} random bytes in base64, not {len(secret)} bytes "
            "(make one with `openssl rand -base64 32`)"
        )
    return secret


def encode_key(secret: bytes) -> str:
    return base64.b64encode(secret).decode("ascii")


@dataclass(frozen=True)
class Keyring:
    """Master keys by id, one of them active (it wraps new and re-wrapped data keys)."""

    keys: dict[str, MasterKey]
    active_id: str
    source: str  # "KLUIS_MASTER_KEY" or the file's path, for messages
    path: Path | None = None  # the file, when the keys come from one
    stamp: tuple[int, int, int] | None = None  # the file's (inode, mtime, size) when read

    @property
    def active(self) -> MasterKey:
        return self.keys[self.active_id]

    def get(self, master_key_id: str) -> MasterKey | None:
        return self.keys.get(master_key_id)

    def with_active(self, key: MasterKey) -> Keyring:
        keys = {**self.keys, key.id: self.keys.get(key.id, key)}
        return Keyring(keys, key.id, self.source, self.path)

    def without(self, ids: set[str]) -> Keyring:
        if self.active_id in ids:
            raise ValueError("the active master key cannot be removed")
        keys = {k: v for k, v in self.keys.items() if k not in ids}
        return Keyring(keys, self.active_id, self.source, self.path)


def keyring_from_env(value: str) -> Keyring:
    keys: dict[str, MasterKey] = {}
    for n, part in enumerate(p for p in value.split(",") if p.strip()):
        secret = decode_key(part, f"{ENV_SOURCE} (key {n + 1})")
        keys.setdefault(key_id(secret), MasterKey(key_id(secret), secret))
    if not keys:
        raise KeyringError(f"{ENV_SOURCE} is empty")
    return Keyring(keys, next(iter(keys)), ENV_SOURCE)


def file_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


def read_keyring_file(path: Path) -> Keyring:
    """A JSON keyring, or a file holding one base64 key (e.g. a container secret)."""
    stamp = file_stamp(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(f"the master key file {path} does not exist") from None
    except OSError as exc:
        raise KeyringError(f"cannot read the master key file {path}: {exc.strerror}") from None
    if not text.lstrip().startswith("{"):
        secret = decode_key(text, f"the master key file {path}")
        key = MasterKey(key_id(secret), secret)
        return Keyring({key.id: key}, key.id, str(path), path, stamp)
    try:
        data = json.loads(text)
        if data.get("format") != FILE_FORMAT:
            raise ValueError("unknown format")
        keys: dict[str, MasterKey] = {}
        for entry_id, entry in data["keys"].items():
            secret = decode_key(entry["key"], f"key {entry_id} in {path}")
            if key_id(secret) != entry_id:
                raise KeyringError(f"key {entry_id} in {path} does not match its id (edited?)")
            keys[entry_id] = MasterKey(entry_id, secret, str(entry.get("created_at", "")))
        active = str(data["active"])
    except KeyringError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise KeyringError(f"the master key file {path} is not a Kluis keyring") from None
    if active not in keys:
        raise KeyringError(f"the active key {active} is missing from {path}")
    return Keyring(keys, active, str(path), path, stamp)


def _keyring_json(keyring: Keyring) -> str:
    data: dict[str, Any] = {
        "format": FILE_FORMAT,
        "active": keyring.active_id,
        "keys": {
            k.id: {"key": encode_key(k.secret), "created_at": k.created_at or _now()}
            for k in keyring.keys.values()
        },
    }
    return json.dumps(data, indent=2) + "\n"


def _write_private(path: Path, text: str) -> Path:
    """A new 0600 file next to `path`, flushed to disk; returns its name."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def _sync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_keyring_file(path: Path, keyring: Keyring) -> None:
    """Replace the file atomically: a reader sees the old keyring or the new, never half."""
    tmp = _write_private(path, _keyring_json(keyring))
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _sync_directory(path.parent)


def create_keyring_file(path: Path) -> bool:
    """Make a keyring with one new key at `path` unless one exists (0600). Linked into
    place, so processes starting together end up with one and the same keyring."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = new_master_key()
    tmp = _write_private(path, _keyring_json(Keyring({key.id: key}, key.id, str(path), path)))
    try:
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)
    _sync_directory(path.parent)
    return True


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Serialise changes to a keyring file (two rotations at once would lose a key)."""
    lock_path = path.with_name(f".{path.name}.lock")
    fd = os.open(lock_path, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


# --- The keyring of this process ------------------------------------------------------
@dataclass(frozen=True)
class Source:
    """Where this process takes its master keys from (read from the settings)."""

    env_value: str = field(repr=False)
    path: Path
    named: bool  # KLUIS_MASTER_KEY_FILE named the file
    may_create: bool  # development/test: make <DATA_DIR>/master_keys when missing

    def describe(self) -> str:
        if self.env_value:
            return ENV_SOURCE
        return f"KLUIS_MASTER_KEY_FILE {self.path}" if self.named else str(self.path)


def configured_source() -> Source:
    from django.conf import settings

    return Source(
        env_value=settings.MASTER_KEY,
        path=Path(settings.MASTER_KEY_FILE),
        named=settings.MASTER_KEY_FILE_NAMED,
        may_create=settings.MASTER_KEY_AUTOCREATE,
    )


def load(source: Source) -> Keyring:
    """The keys from the environment, the named file, or (development and test only) the
    data directory's keyring, made when missing. Production names its keys explicitly."""
    if source.env_value:
        return keyring_from_env(source.env_value)
    if not source.named and not source.may_create:
        raise KeyringError(
            "no master key: set KLUIS_MASTER_KEY (base64 of 32 random bytes, e.g. "
            "`openssl rand -base64 32`) or KLUIS_MASTER_KEY_FILE (a keyring file)"
        )
    if not source.path.exists():
        if source.named:
            raise KeyringError(f"KLUIS_MASTER_KEY_FILE {source.path} does not exist")
        try:
            create_keyring_file(source.path)
        except OSError as exc:
            raise KeyringError(
                f"cannot make the master key file {source.path}: {exc.strerror}"
            ) from None
    return read_keyring_file(source.path)


_lock = threading.Lock()
_state: dict[str, Any] = {"source": None, "keyring": None}


def current() -> Keyring:
    """This process's keyring, loaded once (again when the settings point elsewhere)."""
    source = configured_source()
    keyring: Keyring | None = _state["keyring"]
    if keyring is None or _state["source"] != source:
        with _lock:
            keyring = load(source)
            _state.update(source=source, keyring=keyring)
    return keyring


def reload() -> Keyring:
    """Read the keys again: another process rotated them (or the settings changed)."""
    with _lock:
        _state.update(source=None, keyring=None)
    return current()


def for_wrapping() -> MasterKey:
    """The active master key, after re-reading the file if it changed since it was read,
    so data keys made after a rotation are wrapped by the new key."""
    keyring = current()
    if keyring.path is not None and file_stamp(keyring.path) != keyring.stamp:
        keyring = reload()
    return keyring.active


def find(master_key_id: str) -> MasterKey:
    """The master key with this id; an unknown id means another process rotated: reload."""
    key = current().get(master_key_id)
    if key is None:
        key = reload().get(master_key_id)
    if key is None:
        raise KeyringError(
            f"master key {master_key_id} is not in the keyring ({configured_source().describe()})"
        )
    return key


def forget() -> None:
    """Drop the loaded keyring (after this process changed the file, and in tests)."""
    with _lock:
        _state.update(source=None, keyring=None)


def ensure_master_key(data_dir: Path) -> Path | None:
    """Make the development keyring <data_dir>/master_keys (0600) once, like the secret
    key; never in production, and not when KLUIS_MASTER_KEY(_FILE) gives the keys.

    Returns the path when a keyring was made."""
    if os.environ.get("KLUIS_ENV", "development").strip().lower() == "production":
        return None
    if os.environ.get("KLUIS_MASTER_KEY", "").strip():
        return None
    if os.environ.get("KLUIS_MASTER_KEY_FILE", "").strip():
        return None
    path = data_dir / KEYRING_FILE_NAME
    return path if create_keyring_file(path) else None
