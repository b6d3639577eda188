"""What an operator sets about webhook delivery, from KLUIS_* environment variables
(docs/operations.md, docs/webhooks.md). Imported by kluis/settings.py."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import PRODUCTION, env_bool, env_whole_number

__all__ = [
    "PUBLIC_URL",
    "WEBHOOK_ALLOW_PRIVATE_TARGETS",
    "WEBHOOK_DISABLE_AFTER_SECONDS",
    "WEBHOOK_DRAIN_SECONDS",
    "WEBHOOK_LEASE_SECONDS",
    "WEBHOOK_MAX_RESPONSE_BYTES",
    "WEBHOOK_REQUIRE_HTTPS",
    "WEBHOOK_RESPONSE_EXCERPT_BYTES",
    "WEBHOOK_RETENTION_DAYS",
    "WEBHOOK_RETRY_SCHEDULE",
    "WEBHOOK_SECRET_OVERLAP_SECONDS",
    "WEBHOOK_SEND_THREADS",
    "WEBHOOK_SWEEP_SECONDS",
    "WEBHOOK_TIMEOUT_SECONDS",
]

# The address Kluis is reached at (https://hr.example.com), for the API links in webhook
# payloads; unset, a subscription's links use the address it was made through.
PUBLIC_URL = os.environ.get("KLUIS_PUBLIC_URL", "").strip().rstrip("/")
if PUBLIC_URL and not PUBLIC_URL.startswith(("https://", "http://")):
    raise ImproperlyConfigured(f"KLUIS_PUBLIC_URL must be a URL, not {PUBLIC_URL!r}")

# Only https:// targets in production; private and loopback targets only for development
# and tests (the check in kluis/settings.py refuses production with them allowed).
WEBHOOK_REQUIRE_HTTPS = PRODUCTION or env_bool("KLUIS_WEBHOOK_REQUIRE_HTTPS", False)
WEBHOOK_ALLOW_PRIVATE_TARGETS = env_bool("KLUIS_WEBHOOK_ALLOW_PRIVATE_TARGETS", False)


def _schedule(raw: str) -> tuple[float, ...]:
    """Seconds to wait after each failed attempt (Standard Webhooks' schedule: 5 s, 5 min,
    30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h after the first, immediate, attempt)."""
    try:
        delays = tuple(float(part) for part in raw.split(",") if part.strip())
    except ValueError:
        delays = ()
    if not delays or any(d < 0 or d > 86400 for d in delays):
        raise ImproperlyConfigured(
            "KLUIS_WEBHOOK_RETRY_SCHEDULE must be seconds between 0 and 86400, comma-separated"
        )
    return delays


WEBHOOK_RETRY_SCHEDULE = _schedule(
    os.environ.get("KLUIS_WEBHOOK_RETRY_SCHEDULE", "5,300,1800,7200,18000,36000,50400,72000,86400")
)
WEBHOOK_TIMEOUT_SECONDS = env_whole_number("KLUIS_WEBHOOK_TIMEOUT_SECONDS", 10, 1, 30)
WEBHOOK_RESPONSE_EXCERPT_BYTES = 4096
WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024
# A subscription failing without a single success for this long is turned off.
WEBHOOK_DISABLE_AFTER_SECONDS = env_whole_number(
    "KLUIS_WEBHOOK_DISABLE_AFTER_SECONDS", 5 * 86400, 60
)
# Delivered payloads (and attempts' response excerpts) are forgotten after this.
WEBHOOK_RETENTION_DAYS = env_whole_number("KLUIS_WEBHOOK_RETENTION_DAYS", 30, 1)
# After a rotation the old secret still signs for this long.
WEBHOOK_SECRET_OVERLAP_SECONDS = 24 * 3600
# The worker: a drain holds a subscription for at most this long unless it renews (a
# killed worker's subscription is taken over after it), sends for about this long before
# letting other subscriptions have the worker, and the sweep looks for work every so often.
WEBHOOK_LEASE_SECONDS = env_whole_number("KLUIS_WEBHOOK_LEASE_SECONDS", 120, 1)
WEBHOOK_DRAIN_SECONDS = 1.0
# Subscriptions a worker process sends to at once (a thread each).
WEBHOOK_SEND_THREADS = env_whole_number("KLUIS_WEBHOOK_SEND_THREADS", 8, 1, 64)
WEBHOOK_SWEEP_SECONDS = env_whole_number("KLUIS_WEBHOOK_SWEEP_SECONDS", 15, 1)
