"""Absolute session lifetime: a signed-in session ends after KLUIS_SESSION_MAX_AGE seconds,
however active it is (NIST SP 800-63B: at most 24 h; the idle timeout is SESSION_COOKIE_AGE,
renewed on every request)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

SIGNED_IN_AT = "kluis_signed_in_at"


class SessionLifetimeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            started = request.session.get(SIGNED_IN_AT)
            if not isinstance(started, int):
                request.session[SIGNED_IN_AT] = now
            elif now - started > settings.SESSION_MAX_AGE_SECONDS:
                logout(request)  # flushes the session: a new key, nothing carried over
                return redirect_to_login(request.get_full_path())
        return self.get_response(request)
