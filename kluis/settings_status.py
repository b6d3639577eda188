"""What an operator sets about the public status page and security.txt, from KLUIS_*
environment variables (docs/operations.md, "Status page"). Imported by kluis/settings.py."""

from __future__ import annotations

import datetime as dt
import os

from django.core.exceptions import ImproperlyConfigured

from kluis.settings_env import env_list, env_whole_number

__all__ = [
    "SECURITY_ACKNOWLEDGMENTS",
    "SECURITY_CONTACT",
    "SECURITY_DISCLOSURE_TEXT",
    "SECURITY_EXPIRES",
    "SECURITY_EXPIRES_DAYS",
    "SECURITY_LANGUAGES",
    "SECURITY_POLICY_URL",
    "STATUS_QUEUE_LAG_SECONDS",
    "STATUS_SUBSCRIBE_LIMIT",
    "STATUS_TITLE",
]

# security.txt (RFC 9116). Contact: one or more mailto:/https: URIs, comma separated;
# unset, mailto:security@ the public host (KLUIS_PUBLIC_URL, else the first allowed host).
SECURITY_CONTACT = env_list("KLUIS_SECURITY_CONTACT", "")
for _contact in SECURITY_CONTACT:
    if not _contact.startswith(("mailto:", "https://")):
        raise ImproperlyConfigured(
            f"KLUIS_SECURITY_CONTACT must be mailto: or https: URIs, not {_contact!r}"
        )
# Expires: an ISO date (2027-06-30) the operator renews; unset, a rolling date
# KLUIS_SECURITY_EXPIRES_DAYS (default 180) ahead of today, so it is never in the past.
_expires = os.environ.get("KLUIS_SECURITY_EXPIRES", "").strip()
try:
    SECURITY_EXPIRES: dt.date | None = dt.date.fromisoformat(_expires) if _expires else None
except ValueError:
    raise ImproperlyConfigured(
        f"KLUIS_SECURITY_EXPIRES must be an ISO date (2027-06-30), not {_expires!r}"
    ) from None
SECURITY_EXPIRES_DAYS = env_whole_number("KLUIS_SECURITY_EXPIRES_DAYS", 180, 31, 365)
# Policy: unset, Kluis's own disclosure page (/security/disclosure).
SECURITY_POLICY_URL = os.environ.get("KLUIS_SECURITY_POLICY_URL", "").strip()
if SECURITY_POLICY_URL and not SECURITY_POLICY_URL.startswith("https://"):
    raise ImproperlyConfigured("KLUIS_SECURITY_POLICY_URL must be an https:// URL")
SECURITY_ACKNOWLEDGMENTS = os.environ.get("KLUIS_SECURITY_ACKNOWLEDGMENTS", "").strip()
SECURITY_LANGUAGES = env_list("KLUIS_SECURITY_LANGUAGES", "en,nl,fr")
# Extra text (plain, paragraphs split by blank lines) shown on the disclosure page.
SECURITY_DISCLOSURE_TEXT = os.environ.get("KLUIS_SECURITY_DISCLOSURE_TEXT", "").strip()

# The status page's title (a product name, never a host name).
STATUS_TITLE = os.environ.get("KLUIS_STATUS_TITLE", "Kluis").strip() or "Kluis"
# Queued tasks or due webhook deliveries older than this are "degraded", older than five
# times this a "partial outage".
STATUS_QUEUE_LAG_SECONDS = env_whole_number("KLUIS_STATUS_QUEUE_LAG_SECONDS", 300, 30)
# Subscription requests one client IP address may send per hour.
STATUS_SUBSCRIBE_LIMIT = env_whole_number("KLUIS_STATUS_SUBSCRIBE_LIMIT", 5, 1)
