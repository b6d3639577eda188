"""The answer to an attempt refused because its address is throttled (HTTP 429)."""

from __future__ import annotations

import datetime as dt
import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def throttled(request: HttpRequest, wait: dt.timedelta) -> HttpResponse:
    """429 with Retry-After and a page that says how long to wait."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    response = render(
        request,
        "account/throttled.html",
        {"minutes": max(1, math.ceil(seconds / 60))},
        status=429,
    )
    response["Retry-After"] = str(seconds)
    return response
