"""The answer to an attempt refused because its address is throttled (HTTP 429)."""

from __future__ import annotations

import datetime as dt
import math

from allauth.core.internal.httpkit import is_headless_request
from allauth.headless.internal.restkit.response import APIResponse
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def throttled(request: HttpRequest, wait: dt.timedelta) -> HttpResponse:
    """429 with Retry-After: a page that says how long to wait, or for an app (allauth
    headless) its JSON error."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    response: HttpResponse
    if is_headless_request(request):
        message = _("Too many failed sign-ins from your network. Try again in %(minutes)s minutes.")
        response = APIResponse(
            request,
            errors=[{"message": message % {"minutes": minutes}, "code": "too_many_attempts"}],
            status=429,
        )
    else:
        response = render(request, "account/throttled.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(seconds)
    return response
