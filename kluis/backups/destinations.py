"""Where backup archives are kept: a local directory, S3-compatible storage, or both.

One small interface (put, list, get, delete) so the scheduled backup, retention and
`kluis backups list` treat every destination alike. Archive names are checked before they
touch a path or a key: a name is never a way out of the directory or the prefix.
Credentials are handed to boto3 only; no message of this module contains them."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

# kluis-20261207T020000123456Z.kluisbackup: the UTC instant first, so names sort by time (the
# names `kluis backup` gives its archives, kluis/backups/archive.py, are the same).
NAME = re.compile(r"^kluis-(\d{8}T\d{6})(\d{6})?Z\.[a-z0-9]{1,20}$")


class DestinationError(Exception):
    """A destination could not be reached or refused an operation (one line, no secrets)."""


@dataclass(frozen=True)
class StoredArchive:
    name: str
    size: int
    modified: dt.datetime


def taken_at(name: str) -> dt.datetime | None:
    """When the archive of this name was taken (UTC), or None for a name not ours."""
    match = NAME.match(name)
    if not match:
        return None
    at = dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=dt.UTC)
    return at.replace(microsecond=int(match.group(2) or 0))


def archive_name(at: dt.datetime, suffix: str) -> str:
    """The name of an archive taken at `at`, e.g. kluis-20261207T020000000000Z.kluisbackup."""
    stamp = at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    return f"kluis-{stamp}Z.{suffix.lstrip('.')}"


def _checked(name: str) -> str:
    if not NAME.match(name):
        raise DestinationError(f"not a backup archive name: {name[:80]!r}")
    return name


class Destination(Protocol):
    label: str

    def put(self, name: str, file: Path) -> None: ...

    def list(self) -> list[StoredArchive]: ...

    def get(self, name: str) -> Path:
        """A local temporary copy of the archive; the caller removes it."""
        ...

    def delete(self, name: str) -> None: ...


def _temp_path(suffix: str) -> Path:
    handle, path = tempfile.mkstemp(prefix="kluis-backup-", suffix=suffix)
    os.close(handle)
    return Path(path)


class LocalDirectory:
    """A directory on this host (default <DATA_DIR>/backups). With several hosts, mount the
    same network directory on each or use S3: a host's own disk is seen by that host only."""

    label = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def _ready(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        return self.root

    def put(self, name: str, file: Path) -> None:
        target = self._ready() / _checked(name)
        partial = target.with_name(f".{name}.partial")
        try:
            with file.open("rb") as source, partial.open("wb") as out:
                os.chmod(partial, 0o600)
                shutil.copyfileobj(source, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(partial, target)  # whole or not at all
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise DestinationError(f"local: cannot write {name}: {exc.strerror}") from None

    def list(self) -> list[StoredArchive]:
        if not self.root.is_dir():
            return []
        found = []
        for path in self.root.iterdir():
            if NAME.match(path.name) and path.is_file():
                stat = path.stat()
                modified = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC)
                found.append(StoredArchive(path.name, stat.st_size, modified))
        return sorted(found, key=lambda a: a.name)

    def get(self, name: str) -> Path:
        source = self.root / _checked(name)
        if not source.is_file():
            raise DestinationError(f"local: no archive {name}")
        copy = _temp_path(source.suffix)
        shutil.copyfile(source, copy)
        return copy

    def delete(self, name: str) -> None:
        (self.root / _checked(name)).unlink(missing_ok=True)


class S3Bucket:
    """A bucket of S3 or an S3-compatible server, archives under a prefix (default kluis/)."""

    label = "s3"

    def __init__(
        self,
        bucket: str,
        *,
        prefix: str = "",
        endpoint: str = "",
        region: str = "",
        access_key: str = "",
        secret_key: str = "",
        addressing: str = "auto",
    ) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix
        options: dict[str, Any] = {
            "config": Config(
                connect_timeout=10,
                read_timeout=120,
                retries={"max_attempts": 5, "mode": "standard"},
                s3={"addressing_style": addressing},
                # Other S3-compatible servers do not all take the newer default checksums.
                request_checksum_calculation="when_required" if endpoint else "when_supported",
                response_checksum_validation="when_required" if endpoint else "when_supported",
            )
        }
        if endpoint:
            options["endpoint_url"] = endpoint
        if region:
            options["region_name"] = region
        if access_key:
            options["aws_access_key_id"] = access_key
            options["aws_secret_access_key"] = secret_key
        self.client = boto3.session.Session().client("s3", **options)

    def _key(self, name: str) -> str:
        return f"{self.prefix}{_checked(name)}"

    def _fail(self, action: str, exc: Exception) -> DestinationError:
        from botocore.exceptions import ClientError

        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, ClientError):
            cause = cause.__cause__ or cause.__context__  # upload_file wraps the ClientError
        if isinstance(cause, ClientError):
            error = cause.response.get("Error", {})
            reason = f"{error.get('Code', 'error')} {error.get('Message', '')}".strip()
        else:
            reason = type(exc).__name__
        return DestinationError(f"s3: cannot {action} in bucket {self.bucket}: {reason}")

    def put(self, name: str, file: Path) -> None:
        from boto3.s3.transfer import TransferConfig

        try:
            self.client.upload_file(
                str(file),
                self.bucket,
                self._key(name),
                Config=TransferConfig(multipart_threshold=64 * 1024**2),
            )
        except Exception as exc:
            raise self._fail(f"store {name}", exc) from None

    def list(self) -> list[StoredArchive]:
        found = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    if NAME.match(name):
                        found.append(StoredArchive(name, item["Size"], item["LastModified"]))
        except Exception as exc:
            raise self._fail("list archives", exc) from None
        return sorted(found, key=lambda a: a.name)

    def get(self, name: str) -> Path:
        copy = _temp_path(Path(name).suffix)
        try:
            self.client.download_file(self.bucket, self._key(name), str(copy))
        except Exception as exc:
            copy.unlink(missing_ok=True)
            raise self._fail(f"fetch {name}", exc) from None
        return copy

    def delete(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self._key(name))
        except Exception as exc:
            raise self._fail(f"delete {name}", exc) from None


def local_directory() -> LocalDirectory:
    root = Path(settings.BACKUP_DIR or settings.DATA_DIR / "backups")
    return LocalDirectory(root.expanduser().resolve())


def s3_bucket() -> S3Bucket:
    return S3Bucket(
        settings.BACKUP_S3_BUCKET,
        prefix=settings.BACKUP_S3_PREFIX,
        endpoint=settings.BACKUP_S3_ENDPOINT,
        region=settings.BACKUP_S3_REGION,
        access_key=settings.BACKUP_S3_ACCESS_KEY,
        secret_key=settings.BACKUP_S3_SECRET_KEY,
        addressing=settings.BACKUP_S3_ADDRESSING,
    )


def configured() -> list[Destination]:
    """Every destination the settings name (KLUIS_BACKUP_DESTINATIONS), local first."""
    made: list[Destination] = []
    if "local" in settings.BACKUP_DESTINATIONS:
        made.append(local_directory())
    if "s3" in settings.BACKUP_DESTINATIONS:
        if not settings.BACKUP_S3_BUCKET:
            raise DestinationError("s3 is a destination but KLUIS_BACKUP_S3_BUCKET is not set")
        made.append(s3_bucket())
    return made
