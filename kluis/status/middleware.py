"""The status page while the database is unreachable.

Placed before the session middleware: for /status and /status.json it asks the database
for `SELECT 1`; when that fails, the page is answered here, from the last state the worker
wrote to disk, before anything reads a session, a user or a company (each of which needs
the database). Every other request passes on untouched."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.utils import translation

from kluis.operations.health import check_database
from kluis.operations.middleware import SecurityHeadersMiddleware

PATHS = {"/status": "page", "/status.json": "json"}


class StatusOfflineMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        which = PATHS.get(request.path_info)
        if which is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        try:
            check_database()
        except DatabaseError:
            return self._offline(request, which)
        return self.get_response(request)

    def _offline(self, request: HttpRequest, which: str) -> HttpResponse:
        response = self._answer(request, which)

        def answered(_request: HttpRequest) -> HttpResponse:
            return response

        # The headers the middleware after this one would have added to any response.
        SecurityHeadersMiddleware(answered)(request)
        XFrameOptionsMiddleware(answered).process_response(request, response)
        return response

    def _answer(self, request: HttpRequest, which: str) -> HttpResponse:
        from kluis.status import views

        if which == "json":
            return views.json_offline()
        # The language as LocaleMiddleware would choose it for a visitor (cookie, then
        # the browser's Accept-Language), without a session.
        language = translation.get_language_from_request(request)
        with translation.override(language):
            response = views.render_offline(request)
            response.headers.setdefault("Content-Language", language)
        response.headers["Vary"] = "Accept-Language, Cookie"
        return response
