"""The one pipeline every API request takes (decision 0008).

`ApiMiddleware` is the first middleware: a request under `/api/` (except the schema and
its documentation page, which are documents for people and browsers) leaves Django's
browser-session cycle there, and `answer()` takes it the rest of the way:

1. a request id (accepted from a proxy when sane, else made), on the response and logs;
2. the host is checked against ALLOWED_HOSTS, HTTPS is required where configured;
3. the language from Accept-Language (problem details are translated);
4. the path is resolved to the resource's view (kluis/api/registry.py, urls.py);
5. the view's own steps, the same for every resource and credential (kluis/api/views.py
   `ApiViewSet.initial`): throttles before the credential is looked up, one
   authentication (API key, Basic, OAuth bearer: the authenticators named in settings),
   the per-credential throttle, the connection narrowed to the client's company
   (PostgreSQL), the permission for the method, strict query parameters; then the
   resource's handler; every error as a problem document (exceptions.py);
6. one set of response headers: the security headers Django's own middleware would
   add (computed once by that middleware), rate-limit headers, X-Request-ID,
   Content-Language.

Sessions, CSRF, allauth, messages and the tenant-from-session middleware never run for
an API request: an API credential is never a cookie.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, ResolverMatch, get_urlconf, resolve
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from kluis.api.exceptions import BadRequest, problem_response
from kluis.operations.logging import begin_request
from kluis.operations.middleware import VALID_REQUEST_ID, SecurityHeadersMiddleware

logger = logging.getLogger("django.request")

API_PREFIX = "/api/"
# Documents about the API, not requests of it: served by Django like any page.
DOCUMENTATION = ("/api/v1/schema/", "/api/v1/docs/")


def is_api_request(path: str) -> bool:
    return path.startswith(API_PREFIX) and not path.startswith(DOCUMENTATION)


class ApiMiddleware:
    """First in MIDDLEWARE: API requests are answered by `answer()`, the rest go on."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if is_api_request(request.path_info):
            return answer(request)
        return self.get_response(request)


# Headers an app adds to the responses of a company's credentials, by registration (the
# pipeline knows no domain app): fn(tenant) -> [(name, value)], e.g. kluis.sandbox's
# `Kluis-Sandbox: true`. The tenant is the one the credentials already loaded.
_TENANT_HEADERS: list[Callable[[Any], list[tuple[str, str]]]] = []


def label_responses(headers: Callable[[Any], list[tuple[str, str]]]) -> None:
    if headers not in _TENANT_HEADERS:
        _TENANT_HEADERS.append(headers)


def answer(request: HttpRequest) -> HttpResponseBase:
    """The response to one API request, headers and all."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")  # not `request.headers`: built whole
    request_id = incoming if VALID_REQUEST_ID.match(incoming) else secrets.token_hex(12)
    request.request_id = request_id  # type: ignore[attr-defined]
    begin_request(request_id)
    language = _language(
        request.META.get("HTTP_ACCEPT_LANGUAGE", ""),
        request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if "HTTP_COOKIE" in request.META
        else None,
    )
    translation.activate(language)
    request.LANGUAGE_CODE = translation.get_language()
    try:
        response = _respond(request)
    except Exception:
        logger.exception("Internal Server Error: %s", request.path, extra={"request": request})
        response = problem_response(request, 500, "Something went wrong on our side.")
    finally:
        translation.deactivate()
    _finish_headers(request, response, language)
    response["X-Request-ID"] = request_id
    tenant = getattr(getattr(getattr(request, "user", None), "actor", None), "tenant", None)
    if tenant is not None:
        for headers in _TENANT_HEADERS:
            for name, value in headers(tenant):
                response[name] = value
    return response


class _Asked:
    """What Django's language choice reads of a request (the language cookie, then
    Accept-Language), for `_language`."""

    def __init__(self, accept: str, cookie: str | None) -> None:
        self.META = {"HTTP_ACCEPT_LANGUAGE": accept}
        self.COOKIES = {} if cookie is None else {settings.LANGUAGE_COOKIE_NAME: cookie}


@functools.lru_cache(maxsize=512)
def _language(accept: str, cookie: str | None) -> str:
    """Django's choice of language for these headers, made once per distinct pair."""
    return translation.get_language_from_request(_Asked(accept, cookie))  # type: ignore[arg-type]


def _respond(request: HttpRequest) -> HttpResponseBase:
    try:
        request.get_host()
    except DisallowedHost:
        # The detail never echoes what was sent (as handler400).
        return problem_response(request, 400, str(BadRequest.default_detail))
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        redirect = _https_redirect(request)
        if redirect is not None:
            return redirect
    match = _resolved(request.path_info, get_urlconf() or settings.ROOT_URLCONF)
    if match is None:
        return _not_found(request)
    request.kluis_route = match.route  # type: ignore[attr-defined]  # metrics by route
    response = match.func(request, *match.args, **match.kwargs)
    render = getattr(response, "render", None)
    if callable(render) and not getattr(response, "is_rendered", True):
        response = render()
    assert isinstance(response, HttpResponseBase)
    return response


@functools.lru_cache(maxsize=4096)
def _resolved(path: str, urlconf: str) -> ResolverMatch | None:
    """The view of an API path, None when there is none: the URL conf is walked once per
    distinct path (ids included), not on every request. Only what the path decides is
    kept; the view gets fresh copies of its arguments."""
    try:
        return resolve(path, urlconf)
    except Resolver404:
        return None


def _clear_resolved(*, setting: str, **_kwargs: object) -> None:
    if setting == "ROOT_URLCONF":
        _resolved.cache_clear()


setting_changed.connect(_clear_resolved)


def _not_found(request: HttpRequest) -> HttpResponse:
    """404 problem; a path missing only its trailing slash is told the right one (a
    redirect would turn a POST into a GET and drop its body)."""
    path = request.path_info
    if not path.endswith("/"):
        try:
            resolve(path + "/")
        except Resolver404:
            pass
        else:
            return problem_response(
                request, 404, f"Not found. API paths end with a slash: {request.path}/"
            )
    return problem_response(request, 404, "Not found.")


def _https_redirect(request: HttpRequest) -> HttpResponseBase | None:
    """SecurityMiddleware's redirect to HTTPS (SECURE_SSL_REDIRECT), made by it."""
    return SecurityMiddleware(_empty).process_request(request)


def _empty(_request: HttpRequest) -> HttpResponse:
    return HttpResponse()


@functools.lru_cache(maxsize=4)
def security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers Django's and Kluis's security middleware put on a response (HSTS,
    CSP, X-Frame-Options, nosniff, referrer and opener policies, Permissions-Policy,
    no-store), made by that middleware around an empty response: they depend on the
    request only by HTTPS or not, so they are computed once."""
    request = HttpRequest()
    request.is_secure = lambda: secure  # type: ignore[method-assign]
    request.path = request.path_info = "/api/v1/"
    chain = SecurityMiddleware(
        ContentSecurityPolicyMiddleware(XFrameOptionsMiddleware(SecurityHeadersMiddleware(_empty)))
    )
    response = chain(request)
    assert isinstance(response, HttpResponseBase)
    return tuple(
        (name, value)
        for name, value in response.headers.items()
        if name not in ("Content-Type", "Content-Length", "Cache-Control")
    )


@functools.lru_cache(maxsize=4)
def _prepared(secure: bool) -> tuple[tuple[str, tuple[str, str]], ...]:
    """`security_headers` as Django's header store keeps them (lower-cased name ->
    (name, value)), checked once by Django's own header rules rather than per response."""
    checked = HttpResponse()
    for name, value in security_headers(secure):
        checked.headers[name] = value
    return tuple(checked.headers._store.items())


def _finish_headers(request: HttpRequest, response: HttpResponseBase, language: str) -> None:
    headers = response.headers
    store = headers._store
    for key, item in _prepared(request.is_secure()):
        if key not in store:
            store[key] = item
    if "Cache-Control" in headers:
        patch_cache_control(response, no_store=True, private=True)
    else:
        headers["Cache-Control"] = "no-store, private"
    if "Vary" in headers:
        patch_vary_headers(response, ("Accept-Language",))
    else:
        headers["Vary"] = "Accept-Language"
    headers.setdefault("Content-Language", language)
