"""A sign-in attempt from a throttled address, refused before the request is read.

An address with too many failed sign-ins (kluis/identity/brute_force.py: 100 in 24 hours)
gets one attempt per 14.4 minutes. Every other attempt it sends is answered 429 here,
before sessions, CSRF, allauth's own rate limits, the form or any template of the site: one
indexed read of the address's count, so a flood of guesses from a throttled address costs
the server a fraction of a millisecond each and leaves its CPU to the people signing in
(bench/signin_bench.py). The views keep their own checks (an address on a company's allow
list is decided there, by the account an attempt names; and the first attempts of a flood,
before the address is throttled, never get here).

The attempts are POSTs to the endpoints that take a password, a code, a passkey, a reset
request or an invitation: the sign-in page, the second factor step, passkey sign-in,
sign-in by code, the password reset request, an invitation, and their counterparts for
apps (allauth headless, answered in its JSON). A refusal is not logged line by line (an
attacker would write the log): it is counted in `kluis_signin_refused_total`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import re
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from kluis.identity import brute_force
from kluis.operations.client_ip import client_ip
from kluis.operations.metrics import SIGNIN_REFUSED

# The pages that take an attempt (a POST), and the same for apps (allauth headless).
PAGES = re.compile(
    r"^/accounts/(login/(code/confirm/)?|password/reset/|2fa/authenticate/"
    r"|2fa/webauthn/login/|invitation/[^/]+/)$"
)
APPS = re.compile(
    r"^/auth/app/v1/auth/(login|2fa/authenticate|webauthn/(login|authenticate)|code/confirm"
    r"|password/(request|reset))$"
)


def is_attempt(request: HttpRequest) -> bool:
    return request.method == "POST" and bool(
        PAGES.match(request.path_info) or APPS.match(request.path_info)
    )


class EarlyRefusalMiddleware:
    """Before SessionMiddleware: a sign-in attempt from a throttled address is a 429."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_attempt(request):
            wait = brute_force.throttled_wait(client_ip(request.META))
            if wait is not None:
                _drain(request)
                return refused(request, wait)
        return self.get_response(request)


def _drain(request: HttpRequest) -> None:
    """Read what the attempt sent (a small form, never parsed): a body left unread makes
    the web server close a kept-alive connection mid-stream, which its next request on it
    would meet as a reset."""
    # Too big to keep: the connection may close, as for any such request.
    with contextlib.suppress(RequestDataTooBig, OSError):
        request.body  # noqa: B018


def refused(request: HttpRequest, wait: dt.timedelta) -> HttpResponse:
    """The 429 with Retry-After, in the words (and for apps the JSON) the views use."""
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes = max(1, math.ceil(seconds / 60))
    language = translation.get_language_from_request(request)
    response: HttpResponse
    with translation.override(language):
        if APPS.match(request.path_info):
            message = _(
                "Too many failed sign-ins from your network. Try again in %(minutes)s minutes."
            )
            response = JsonResponse(
                {
                    "status": 429,
                    "errors": [
                        {"message": message % {"minutes": minutes}, "code": "too_many_attempts"}
                    ],
                },
                status=429,
            )
        else:
            page = render_to_string(
                "identity/throttled_early.html",
                {"minutes": minutes, "language": language, "login_url": reverse("account_login")},
            )
            response = HttpResponse(page, status=429)
    add_never_cache_headers(response)
    response["Retry-After"] = str(seconds)
    response["Content-Language"] = language
    response.headers.setdefault("Vary", "Accept-Language, Cookie")
    response._has_been_logged = True  # type: ignore[attr-defined]  # counted, not logged
    SIGNIN_REFUSED.labels("throttled").inc()
    return response
