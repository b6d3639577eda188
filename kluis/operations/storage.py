"""The backend that holds stored files' bytes, whatever it is: the file system under
MEDIA_ROOT or S3-compatible storage (django-storages' S3Storage, configured from
KLUIS_STORAGE_URL in kluis/settings_storage.py).

Kluis writes and reads stored files through `default_storage`, the sealing wrapper of
kluis/crypto/stored_files.py; what is here sees the bytes as they lie in the backend
(sealed), for the wrapper itself and for backups, which copy them as they are:

    raw = raw_storage()
    for name in all_names(raw): read_raw(raw, name)   # a backup
    write_raw(raw, name, data)                        # a restore
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.utils.module_loading import import_string


class StoredFileNameError(ValueError):
    """A name that is not a plain relative path inside the storage."""


# S3 calls give up in seconds, not boto3's minutes (60 s to connect and to read, five
# attempts): an upload or a readiness check must not hang on a bucket that is away.
S3_TIMEOUTS: dict[str, Any] = {
    "connect_timeout": 3,
    "read_timeout": 20,
    "retries": {"mode": "standard", "max_attempts": 3},
}


def build_backend(path: str, options: dict[str, Any] | None) -> Storage:
    """An instance of the storage class at `path` with `options` (from STORAGES); on S3
    with the time limits of S3_TIMEOUTS."""
    backend_class = import_string(path)
    options = dict(options or {})
    if "bucket_name" in options and options.get("client_config") is None:
        from botocore.config import Config

        options["client_config"] = Config(
            s3={"addressing_style": options.get("addressing_style")},
            signature_version=options.get("signature_version"),
            **S3_TIMEOUTS,
        )
    return backend_class(**options)


def raw_storage(storage: Storage | None = None) -> Storage:
    """The backend under the sealing wrapper (or the storage itself when not wrapped)."""
    storage = storage if storage is not None else default_storage
    inner = getattr(storage, "raw", None)
    return inner if isinstance(inner, Storage) else storage


def describe(storage: Storage | None = None) -> str:
    """Where stored files go, for messages: a directory or an s3:// bucket and prefix."""
    raw = raw_storage(storage)
    if isinstance(raw, FileSystemStorage):
        return str(raw.location)
    bucket = getattr(raw, "bucket_name", "")
    location = getattr(raw, "location", "")
    return f"s3://{bucket}/{location}".rstrip("/") if bucket else type(raw).__name__


def checked_name(name: str) -> str:
    """A relative name with no '..', no absolute part, no backslash, no empty segment."""
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        raise StoredFileNameError(f"not a stored file's name: {name!r}")
    parts = name.split("/")
    if any(part in {"", ".", ".."} for part in parts):
        raise StoredFileNameError(f"not a stored file's name: {name!r}")
    return name


def all_names(raw: Storage) -> list[str]:
    """Every stored file's name, sorted. On the file system: regular files only (never a
    symbolic link, as before stored files could live elsewhere); on S3 one paginated
    listing of the prefix."""
    if isinstance(raw, FileSystemStorage):
        return sorted(_walk_directory(Path(raw.location)))
    bucket = getattr(raw, "bucket", None)
    if bucket is not None:
        location = str(getattr(raw, "location", "")).strip("/")
        prefix = f"{location}/" if location else ""
        return sorted(
            obj.key[len(prefix) :]
            for obj in bucket.objects.filter(Prefix=prefix)
            if not obj.key.endswith("/")
        )
    return sorted(_walk_listing(raw, ""))


def _walk_directory(root: Path) -> Iterator[str]:
    if not root.is_dir():
        return
    for folder, _dirs, names in os.walk(root, followlinks=False):
        for name in names:
            path = Path(folder) / name
            if path.is_file() and not path.is_symlink():
                yield path.relative_to(root).as_posix()


def _walk_listing(raw: Storage, folder: str) -> Iterator[str]:
    directories, files = raw.listdir(folder)
    for name in files:
        yield posixpath.join(folder, name) if folder else name
    for directory in directories:
        yield from _walk_listing(raw, posixpath.join(folder, directory) if folder else directory)


def read_raw(raw: Storage, name: str) -> bytes | None:
    """The bytes as they lie in the backend; None when the file is gone."""
    checked_name(name)
    try:
        with raw.open(name, "rb") as handle:
            return bytes(handle.read())
    except FileNotFoundError:
        return None
    except Exception as exc:
        if _is_missing(exc):
            return None
        raise


def write_raw(raw: Storage, name: str, data: bytes) -> None:
    """Put `data` at exactly `name`, replacing what is there. On the file system through a
    temporary file and a rename (a reader sees the old file or the new, never half); on S3
    one PUT, which replaces an object atomically."""
    checked_name(name)
    if isinstance(raw, FileSystemStorage):
        try:
            target = Path(raw.path(name))
        except SuspiciousFileOperation:
            raise StoredFileNameError(f"not a stored file's name: {name!r}") from None
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            tmp.write_bytes(data)
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        return
    save_exactly(raw, name, data)


def save_exactly(raw: Storage, name: str, data: bytes) -> None:
    """Write `data` at `name` through the backend's own writing (its `_save`: S3 replaces
    the object; the file system refuses a name in use and picks another). A file must
    be at the very name it was written for (a sealed file is bound to it), so one the
    backend put elsewhere is deleted again and the write fails."""
    writer = getattr(raw, "_save")  # noqa: B009  (Storage's protected hook, not typed)
    saved = writer(name, ContentFile(data, name=posixpath.basename(name)))
    if saved != name:
        raw.delete(saved)
        raise OSError(f"the storage chose another name for {name}; nothing was stored")


def _is_missing(exc: Exception) -> bool:
    """An S3 'no such key' (botocore's ClientError with a 404), without importing boto."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return False
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = response.get("Error", {}).get("Code")
    return status == 404 or code in {"404", "NoSuchKey", "NotFound"}
