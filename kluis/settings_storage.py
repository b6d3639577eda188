"""Where files are kept: stored files (employee photos, and whatever later stores files)
and the static files.

Stored files are sealed on this node before they are written (kluis/crypto/stored_files.py:
AES-256-GCM, a fresh key per file wrapped by the company's data key), wherever they go:
`<DATA_DIR>/media` by default, or S3-compatible storage when KLUIS_STORAGE_URL is set

    KLUIS_STORAGE_URL=s3://bucket/optional/prefix?endpoint=https://s3.example&region=eu-west-1&addressing=path

with the keys from KLUIS_STORAGE_S3_ACCESS_KEY / KLUIS_STORAGE_S3_SECRET_KEY, else boto3's
own chain (environment, instance role). A value that does not fit refuses the start with a
message naming the variable (docs/operations.md, "Stored files on S3-compatible storage").
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401

__all__ = [
    "DATA_UPLOAD_MAX_MEMORY_SIZE",
    "FILE_UPLOAD_MAX_MEMORY_SIZE",
    "MEDIA_ROOT",
    "MEDIA_URL",
    "STATIC_ROOT",
    "STATIC_URL",
    "STORAGES",
    "STORAGE_S3",
    "WHITENOISE_USE_FINDERS",
]

URL_VARIABLE = "KLUIS_STORAGE_URL"
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_QUERY_NAMES = {"endpoint", "region", "addressing"}
_ADDRESSING = {"path", "virtual"}
_REGION = re.compile(r"^[a-z0-9-]{2,40}$")


def _refuse(problem: str) -> ImproperlyConfigured:
    # The URL never holds a secret (keys have variables of their own), but the message
    # names only the variable and what is wrong, not the value.
    return ImproperlyConfigured(
        f"{URL_VARIABLE} {problem} (expected s3://bucket/optional/prefix"
        "?endpoint=https://host:port&region=eu-west-1&addressing=path|virtual)"
    )


def parse_storage_url(url: str, access_key: str = "", secret_key: str = "") -> dict[str, Any]:
    """The options of django-storages' S3Storage for KLUIS_STORAGE_URL (and the keys).

    Private objects (no ACL grants anyone else), no public or signed URLs handed out (files
    are only served through Kluis's views), a SHA-256 checksum the server checks on every
    upload, and no overwriting of an existing name."""
    parts = urlsplit(url)
    if parts.scheme != "s3":
        raise _refuse("must start with s3://")
    if parts.username or parts.password or "@" in parts.netloc:
        raise _refuse(
            "must not hold keys: set KLUIS_STORAGE_S3_ACCESS_KEY and KLUIS_STORAGE_S3_SECRET_KEY"
        )
    bucket = parts.netloc
    if not _BUCKET.match(bucket) or ".." in bucket:
        raise _refuse("must name a bucket (3-63 lower-case letters, digits, dots, hyphens)")
    segments = [s for s in parts.path.split("/") if s]
    if any(s in {".", ".."} or "\\" in s for s in segments):
        raise _refuse("has a prefix with '.' or '..' in it")
    if parts.fragment:
        raise _refuse("must not have a #fragment")
    try:
        query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    except ValueError:
        raise _refuse("has a query that is not name=value&...") from None
    unknown = sorted(set(query) - _QUERY_NAMES)
    if unknown:
        raise _refuse(f"has an unknown option {unknown[0]!r} (known: addressing, endpoint, region)")
    if any(len(values) != 1 for values in query.values()):
        raise _refuse("names an option twice")
    endpoint = query.get("endpoint", [""])[0].strip()
    if endpoint:
        target = urlsplit(endpoint)
        if target.scheme not in {"http", "https"} or not target.hostname:
            raise _refuse("has an endpoint that is not an http(s)://host[:port] URL")
        if target.username or target.password or target.query or target.path not in {"", "/"}:
            raise _refuse("has an endpoint with more than scheme://host[:port]")
        try:
            target.port  # noqa: B018  (raises for a port that is not a number)
        except ValueError:
            raise _refuse("has an endpoint with a port that is not a number") from None
        endpoint = f"{target.scheme}://{target.netloc}"
    region = query.get("region", ["us-east-1"])[0].strip() or "us-east-1"
    if not _REGION.match(region):
        raise _refuse("has a region that is not a region name such as eu-west-1")
    addressing = query.get("addressing", [""])[0].strip()
    if addressing and addressing not in _ADDRESSING:
        raise _refuse("has addressing other than path or virtual")
    if bool(access_key) != bool(secret_key):
        raise ImproperlyConfigured(
            "KLUIS_STORAGE_S3_ACCESS_KEY and KLUIS_STORAGE_S3_SECRET_KEY go together: set both, "
            "or neither to use boto3's own credentials (environment, instance role)"
        )
    return {
        "bucket_name": bucket,
        "location": "/".join(segments),
        "endpoint_url": endpoint or None,
        "region_name": region,
        "addressing_style": addressing or None,
        "signature_version": "s3v4",
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "default_acl": "private",
        "querystring_auth": True,
        "custom_domain": None,
        "file_overwrite": False,
        "object_parameters": {"ChecksumAlgorithm": "SHA256"},
    }


# --- Stored files (employee photos): never served directly, only through views that check
# permissions; sealed before they are written (kluis/crypto/stored_files.py). ------------
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

_STORAGE_URL = os.environ.get(URL_VARIABLE, "").strip()
STORAGE_S3: dict[str, Any] | None = (
    parse_storage_url(
        _STORAGE_URL,
        os.environ.get("KLUIS_STORAGE_S3_ACCESS_KEY", "").strip(),
        os.environ.get("KLUIS_STORAGE_S3_SECRET_KEY", "").strip(),
    )
    if _STORAGE_URL
    else None
)

# --- Static files ---------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES: dict[str, dict[str, Any]] = {
    # The sealing wrapper around the backend that holds the bytes: S3Storage configured
    # from KLUIS_STORAGE_URL, else the file system under MEDIA_ROOT (where photos stored
    # before sealing existed still open as they are).
    "default": {
        "BACKEND": "kluis.crypto.stored_files.SealedStorage",
        "OPTIONS": (
            {"backend": "storages.backends.s3.S3Storage", "options": STORAGE_S3}
            if STORAGE_S3 is not None
            else {"backend": "django.core.files.storage.FileSystemStorage", "options": {}}
        ),
    },
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns when it is missing
