"""State every web process (and, on several nodes, every node) shares: the cache and the
API rate-limit counters."""

from __future__ import annotations

from kluis.settings_env import BASE_DIR, DATA_DIR, ENV, PRODUCTION  # noqa: F401

# --- Cache (allauth's sign-in rate limits live here) -----------------------------------
# A file cache is shared by every web process on one host, so rate limits hold across
# Granian's workers; the test suite uses per-process memory.
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


# Where those requests are counted: a table every web process of this host shares (see
# kluis/api/throttling.py); the test suite counts in its per-process cache.
API_RATE_LIMIT_FILE = "" if ENV == "test" else str(DATA_DIR / "ratelimits.bin")
