"""What an operator sets about metrics, from KLUIS_* environment variables
(docs/operations.md "Metrics and logs"; the log settings are in settings_logging.py)."""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

__all__ = ["METRICS_TOKEN"]

# The bearer token a Prometheus scraper sends for /metrics; unset: /metrics is 404.
METRICS_TOKEN = os.environ.get("KLUIS_METRICS_TOKEN", "").strip()
if METRICS_TOKEN and len(METRICS_TOKEN) < 32:
    raise ImproperlyConfigured(
        "KLUIS_METRICS_TOKEN must be at least 32 characters (e.g. `openssl rand -hex 32`)"
    )
