"""The backup key: an age identity kept apart from the master keys.

KLUIS_BACKUP_KEY (an `AGE-SECRET-KEY-1...` identity), else the file KLUIS_BACKUP_KEY_FILE
names, else <DATA_DIR>/backup_key, which development and test make on first use (0600)
and production never makes. KLUIS_BACKUP_RECIPIENTS adds age public keys (`age1...`,
comma-separated) every archive is also encrypted for, e.g. an offline key of the operator.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from pyrage import x25519

from kluis.backups.errors import BackupError

KEY_FILE_NAME = "backup_key"


@dataclass(frozen=True)
class BackupKeys:
    identity: x25519.Identity
    recipients: tuple[x25519.Recipient, ...]
    source: str  # where the identity came from, for messages (never the key itself)


def _parse_identity(text: str, where: str) -> x25519.Identity:
    lines = [
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    ]
    if len(lines) != 1:
        raise BackupError(f"{where} must hold exactly one age identity (AGE-SECRET-KEY-1...)")
    try:
        return x25519.Identity.from_str(lines[0])
    except Exception:
        raise BackupError(
            f"{where} is not an age identity (make one with `age-keygen` or let Kluis make "
            "one outside production)"
        ) from None


def _parse_recipients(text: str) -> list[x25519.Recipient]:
    out = []
    for part in text.replace("\n", ",").split(","):
        value = part.strip()
        if not value:
            continue
        try:
            out.append(x25519.Recipient.from_str(value))
        except Exception:
            raise BackupError(
                "KLUIS_BACKUP_RECIPIENTS holds something that is not an age public key (age1...)"
            ) from None
    return out


def create_key_file(path: Path) -> bool:
    """Make <path> with a new identity unless it exists (0600, linked into place so two
    processes starting together keep one key). Returns whether it made one."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    identity = x25519.Identity.generate()
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(f"# Kluis backup key (public key: {identity.to_public()})\n")
            handle.write(f"{identity}\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def backup_keys() -> BackupKeys:
    """The configured identity (decrypts; its public key encrypts) and the extra recipients."""
    value = settings.BACKUP_KEY
    if value:
        identity = _parse_identity(value, "KLUIS_BACKUP_KEY")
        source = "KLUIS_BACKUP_KEY"
    else:
        path = settings.BACKUP_KEY_FILE
        if not path.exists():
            if settings.BACKUP_KEY_FILE_NAMED or not settings.BACKUP_KEY_AUTOCREATE:
                raise BackupError(
                    "no backup key: set KLUIS_BACKUP_KEY (an age identity, AGE-SECRET-KEY-1...) "
                    "or KLUIS_BACKUP_KEY_FILE"
                    + (f" ({path} does not exist)" if settings.BACKUP_KEY_FILE_NAMED else "")
                )
            create_key_file(path)
        try:
            text = path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise BackupError(f"cannot read the backup key file {path}: {exc}") from None
        identity = _parse_identity(text, f"the backup key file {path}")
        source = str(path)
    return BackupKeys(identity, tuple(_parse_recipients(settings.BACKUP_RECIPIENTS)), source)


def public_key() -> str:
    return str(backup_keys().identity.to_public())
