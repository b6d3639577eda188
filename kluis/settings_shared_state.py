"""State every web process (and, on several nodes, every node) shares: the cache and the
API rate-limit counters.

KLUIS_REDIS_URL (redis://, rediss:// or unix://, a password in the URL; Valkey works the
same) puts both on Redis, shared by every process and node (kluis/operations/shared_cache.py,
kluis/operations/shared_state.py); KLUIS_REDIS_KEY_PREFIX (default `kluis`) keeps the keys of
installations sharing one Redis database apart. Unset: a file cache and a counters file
per host, as on one host."""

from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401


def _redis_url_problem(url: str) -> str:
    """What is wrong with a Redis URL ("" when nothing is)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "it cannot be read as a URL, or its port is not a number"
    if parts.scheme not in {"redis", "rediss", "unix"}:
        return "the scheme is not redis, rediss or unix"
    if parts.scheme == "unix":
        return "" if parts.path else "it names no socket path"
    if not parts.hostname:
        return "it names no host"
    if port == 0:
        return "its port is 0"
    database = parts.path.strip("/")
    if database and not database.isdigit():
        return "the path must be a database number, such as /0"
    return ""


def redis_url_from_env() -> str:
    """KLUIS_REDIS_URL ("" when unset); a malformed one refuses the start with a message
    naming the variable (never repeating the value: it may hold a password)."""
    url = os.environ.get("KLUIS_REDIS_URL", "").strip()
    problem = _redis_url_problem(url) if url else ""
    if problem:
        raise ImproperlyConfigured(
            "KLUIS_REDIS_URL must be a redis://, rediss:// or unix:// URL such as "
            f"redis://127.0.0.1:6379/0 ({problem})"
        )
    return url


def redis_key_prefix_from_env() -> str:
    prefix = os.environ.get("KLUIS_REDIS_KEY_PREFIX", "").strip() or "kluis"
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", prefix):
        raise ImproperlyConfigured(
            "KLUIS_REDIS_KEY_PREFIX must be 1 to 40 letters, digits, '.', '_' or '-'"
        )
    return prefix


def redis_caches(url: str, prefix: str) -> dict[str, dict[str, object]]:
    """CACHES for Django's cache on Redis at `url`, under `prefix` (the installation's)."""
    return {
        "default": {
            "BACKEND": "kluis.operations.shared_cache.SharedRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"{prefix}:c",
            "KEY_FUNCTION": "kluis.operations.shared_cache.make_key",
        }
    }


REDIS_URL = redis_url_from_env()
REDIS_KEY_PREFIX = redis_key_prefix_from_env()

# --- Cache (allauth's sign-in rate limits live here) -----------------------------------
# On Redis: shared by every process and node. Else a file cache, shared by every web
# process on one host, so rate limits hold across Granian's workers; the test suite uses
# per-process memory.
CACHES: dict[str, dict[str, object]]
if REDIS_URL:
    CACHES = redis_caches(REDIS_URL, REDIS_KEY_PREFIX)
else:
    CACHES = {
        "default": (
            {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
            if ENV == "test"
            else {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(DATA_DIR / "cache"),
            }
        )
    }


# Where those requests are counted: in Redis when REDIS_URL is set (then the host's file
# below only while Redis is away), else in a table every web process of this host shares
# (see kluis/api/throttling.py); the test suite counts in its per-process cache.
API_RATE_LIMIT_FILE = "" if ENV == "test" else str(DATA_DIR / "ratelimits.bin")
