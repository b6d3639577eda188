"""The archive on disk: a tar (manifest.json first, then tables/, native/, files/) encrypted
with age for the backup key and any extra recipients. Opening one decrypts it into a
temporary directory and checks every member against the manifest's checksums."""

from __future__ import annotations

import gzip
import hashlib
import io
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import pyrage

from kluis.backups.errors import BackupError
from kluis.backups.keys import BackupKeys, backup_keys
from kluis.backups.logical import archived_table, canonical_lines, checksum_lines
from kluis.backups.manifest import MANIFEST_NAME, Manifest

DAMAGED = (
    "the archive is damaged or was encrypted for another key "
    "(check KLUIS_BACKUP_KEY / KLUIS_BACKUP_KEY_FILE; age says: {detail})"
)
CHUNK = 1 << 20


def table_member(table: str) -> str:
    return f"tables/{table}.jsonl.gz"


def file_member(path: str) -> str:
    return f"files/{path}"


def sha256_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def write_archive(
    out: BinaryIO, manifest: Manifest, members: list[tuple[str, Path]], keys: BackupKeys
) -> None:
    """Tar the manifest and the staged members, encrypt for the key's public key (and the
    extra recipients) into `out`."""
    with tempfile.TemporaryDirectory(prefix="kluis-backup-tar-") as tmp:
        tar_path = Path(tmp) / "archive.tar"
        with tarfile.open(tar_path, "w", format=tarfile.PAX_FORMAT) as tar:
            info = tarfile.TarInfo(MANIFEST_NAME)
            data = manifest.to_json()
            info.size = len(data)
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                member = tar.gettarinfo(str(path), arcname=name)
                member.uid = member.gid = 0
                member.uname = member.gname = ""
                member.mode = 0o600
                with path.open("rb") as handle:
                    tar.addfile(member, handle)
        recipients = [keys.identity.to_public(), *keys.recipients]
        with tar_path.open("rb") as plain:
            try:
                pyrage.encrypt_io(plain, out, recipients)
            except pyrage.EncryptError as exc:
                raise BackupError(f"encrypting the archive failed: {exc}") from None


@dataclass
class OpenArchive:
    manifest: Manifest
    root: Path  # the members, extracted

    def table_lines(self, table: str) -> Iterator[bytes]:
        with gzip.open(self.root / table_member(table), "rb") as handle:
            yield from handle

    def file_path(self, path: str) -> Path:
        return self.root / file_member(path)

    def native_path(self) -> Path | None:
        name = self.manifest.native.get("name")
        return self.root / "native" / str(name) if name else None


def _decrypt(archive: BinaryIO | Path, target: Path, keys: BackupKeys) -> None:
    try:
        with target.open("wb") as plain:
            if isinstance(archive, Path):
                with archive.open("rb") as sealed:
                    pyrage.decrypt_io(sealed, plain, [keys.identity])
            else:
                pyrage.decrypt_io(archive, plain, [keys.identity])
    except FileNotFoundError:
        raise BackupError(f"no archive at {archive}") from None
    except pyrage.DecryptError as exc:
        raise BackupError(DAMAGED.format(detail=str(exc) or "cannot decrypt")) from None
    except OSError as exc:
        if exc.errno is not None:  # the disk, not the archive
            raise BackupError(f"cannot decrypt the archive: {exc}") from None
        # A changed byte in the payload: age's stream reports it as a read error.
        raise BackupError(DAMAGED.format(detail=str(exc) or "decryption error")) from None


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name != ""


@contextmanager
def open_archive(
    archive: BinaryIO | Path, *, keys: BackupKeys | None = None
) -> Iterator[OpenArchive]:
    """Decrypt, unpack and check an archive; the files live until the block ends."""
    keys = keys or backup_keys()
    with tempfile.TemporaryDirectory(prefix="kluis-restore-") as tmp:
        root = Path(tmp)
        tar_path = root / "archive.tar"
        _decrypt(archive, tar_path, keys)
        unpacked = root / "members"
        unpacked.mkdir()
        manifest: Manifest | None = None
        try:
            with tarfile.open(tar_path, "r:") as tar:
                for member in tar:
                    if not member.isfile() or not _safe_name(member.name):
                        raise BackupError(f"the archive holds an unexpected entry {member.name!r}")
                    handle = tar.extractfile(member)
                    assert handle is not None  # a regular file
                    if member.name == MANIFEST_NAME:
                        manifest = Manifest.from_json(handle.read())
                        continue
                    dest = unpacked / member.name
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    with dest.open("wb") as out:
                        shutil.copyfileobj(handle, out, CHUNK)
        except (tarfile.TarError, EOFError):
            raise BackupError(
                "the archive is damaged: its contents are not a Kluis archive"
            ) from None
        tar_path.unlink()
        if manifest is None:
            raise BackupError("the archive has no manifest: it is not a Kluis backup")
        opened = OpenArchive(manifest, unpacked)
        check_members(opened)
        yield opened


def check_members(opened: OpenArchive) -> None:
    """Every table, file and the native dump as the manifest describes them."""
    manifest = opened.manifest
    for table, entry in manifest.tables.items():
        spec = archived_table(table, entry)
        path = opened.root / table_member(table)
        if not path.exists():
            raise BackupError(f"the archive is damaged: table {table} is missing")
        try:
            rows, digest = checksum_lines(canonical_lines(spec, opened.table_lines(table)))
        except (OSError, EOFError, gzip.BadGzipFile):
            raise BackupError(f"the archive is damaged: table {table} is unreadable") from None
        if rows != entry["rows"] or digest != entry["sha256"]:
            raise BackupError(f"the archive is damaged: table {table} does not match its checksum")
    for name, entry in manifest.files.items():
        path = opened.file_path(name)
        if not path.exists() or sha256_file(path) != (entry["bytes"], entry["sha256"]):
            raise BackupError(
                f"the archive is damaged: stored file {name} does not match its checksum"
            )
    native = opened.native_path()
    if native is not None and sha256_file(native)[1] != manifest.native.get("sha256"):
        raise BackupError(
            "the archive is damaged: the native database dump does not match its checksum"
        )
