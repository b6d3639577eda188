"""Making archives for the tests, and opening them up the way an attacker with the key could."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

import pyrage
from pyrage import x25519

from kluis.backups.archive import create_backup
from kluis.backups.manifest import Manifest


def make_backup(
    folder: Path, name: str = "drill.kluisbackup", **kwargs: object
) -> tuple[Path, Manifest]:
    path = folder / name
    with path.open("wb") as out:
        manifest = create_backup(out, progress=False, **kwargs)  # type: ignore[arg-type]
    return path, manifest


def members(path: Path, identity: x25519.Identity) -> dict[str, bytes]:
    """Every member of the archive, decrypted (and gunzipped)."""
    plain = pyrage.decrypt(path.read_bytes(), [identity])
    out = {}
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        for member in tar:
            handle = tar.extractfile(member)
            assert handle is not None
            data = handle.read()
            out[member.name] = gzip.decompress(data) if member.name.endswith(".gz") else data
    return out


def rewrite(
    path: Path, identity: x25519.Identity, change: Callable[[dict[str, bytes]], None]
) -> Path:
    """Decrypt, let `change` edit the raw members, encrypt again for the same key."""
    plain = pyrage.decrypt(path.read_bytes(), [identity])
    raw: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(plain)) as tar:
        for member in tar:
            handle = tar.extractfile(member)
            assert handle is not None
            raw[member.name] = handle.read()
    change(raw)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in raw.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    target = path.with_name("rewritten-" + path.name)
    target.write_bytes(pyrage.encrypt(buffer.getvalue(), [identity.to_public()]))
    return target


def edit_manifest(raw: dict[str, bytes], edit: Callable[[dict], None]) -> None:
    data = json.loads(raw["manifest.json"])
    edit(data)
    raw["manifest.json"] = json.dumps(data).encode()
