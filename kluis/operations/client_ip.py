"""The client's IP address, as every part of Kluis sees it.

`X-Forwarded-For` is written by whoever sends the request, so it is believed only as far
as there are proxies of our own in front of Kluis (`TRUSTED_PROXY_COUNT`, set by
KLUIS_BEHIND_PROXY / KLUIS_TRUSTED_PROXIES): each trusted proxy appends the address it
received the request from, so the client is the entry that many places from the end.
Without a trusted proxy the header is ignored and the socket's address (REMOTE_ADDR)
counts. DRF's throttles (NUM_PROXIES) and allauth (ALLAUTH_TRUSTED_PROXY_COUNT) are given
the same count in settings; this function is what the API's per-IP limit and the audit
trail use, the same rule DRF applies, without building `request.headers`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings


def client_ip(meta: Mapping[str, Any]) -> str | None:
    """The address of the client: REMOTE_ADDR, or behind N trusted proxies the N-th
    address from the end of X-Forwarded-For (the first one when there are fewer)."""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = meta.get("HTTP_X_FORWARDED_FOR")
        if forwarded:
            addresses = forwarded.split(",")
            return str(addresses[-min(proxies, len(addresses))].strip()) or None
    remote: str | None = meta.get("REMOTE_ADDR")
    return remote
