"""Rate limits per credential and per client IP, counted in the shared cache.

Both run before authentication, so guessing keys is limited too. The tightest of the two
is reported on every response as RateLimit-Limit / -Remaining / -Reset (seconds).
"""

from __future__ import annotations

import hashlib
import time
from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

from kluis.integrations.keys import PREFIX_LENGTH


class _KluisThrottle(SimpleRateThrottle):
    setting = ""
    num_requests: int | None
    duration: int | None

    def get_rate(self) -> str | None:
        rate: str | None = getattr(settings, self.setting, None)
        return rate

    def allow_request(self, request: Request, view: Any) -> bool:
        allowed = super().allow_request(request, view)
        if getattr(self, "key", None) is not None and self.num_requests:
            remaining = max(0, self.num_requests - len(self.history))
            window = self.duration or 0
            reset = int(window - (self.now - self.history[-1])) if self.history else 0
            current = getattr(request, "_kluis_ratelimit", None)
            if current is None or remaining < current[1]:
                request._kluis_ratelimit = (self.num_requests, remaining, max(reset, 0))  # type: ignore[attr-defined]
        return allowed

    def timer(self) -> float:
        return time.time()


class ApiKeyThrottle(_KluisThrottle):
    """Per presented key (by its prefix, so it needs no database lookup)."""

    scope = "api_key"
    setting = "API_RATE_PER_KEY"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = header.partition(" ")[2].strip()
        if not token:
            return None
        ident = hashlib.sha256(token[:PREFIX_LENGTH].encode()).hexdigest()[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiIpThrottle(_KluisThrottle):
    scope = "api_ip"
    setting = "API_RATE_PER_IP"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def rate_limit_headers(request: Request) -> dict[str, str]:
    state = getattr(request, "_kluis_ratelimit", None)
    if state is None:
        return {}
    limit, remaining, reset = state
    return {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(remaining),
        "RateLimit-Reset": str(reset),
    }
