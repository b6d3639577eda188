"""Request ids, the log context (company, actor), request metrics and the response
headers Django's SecurityMiddleware does not set."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from kluis.operations import metrics
from kluis.operations.logging import begin_request, bind

VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Accept a sane incoming X-Request-ID (from a proxy) or make one; echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else secrets.token_hex(12)
        request.request_id = request_id  # type: ignore[attr-defined]
        begin_request(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class LogContextMiddleware:
    """After TenantMiddleware: the company and the signed-in person (their user id, never
    their name or address) on every log line of the request. Both are loaded already."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        user = request.user
        bind(tenant.pk if tenant is not None else None, f"user:{user.pk}" if user.pk else "")
        return self.get_response(request)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class MetricsMiddleware:
    """First in MIDDLEWARE (API requests included): each request counted by route (its URL
    pattern, never the path: no ids), method and status, and timed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route = getattr(request, "kluis_route", None)  # set by the API pipeline
        if route is None:
            match = request.resolver_match
            route = match.route if match is not None else "unmatched"
        method = request.method if request.method in METHODS else "other"
        metrics.observe_request(route, method, response.status_code, time.perf_counter() - started)
        return response


class SecurityHeadersMiddleware:
    """Headers for every response: no caching of personal data, no powerful browser features."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if not request.path.startswith("/static/"):
            patch_cache_control(response, no_store=True, private=True)
        return response
