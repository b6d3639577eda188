"""The fast lane: the API's most frequent request answered without Django's request cycle.

Integrations sync by paging through `GET /api/v1/employees/` again and again. Through
Django, the middleware stack, DRF's dispatch and the ORM's query building, one 20-row page
cost several times what fetching and encoding its rows costs. The fast lane sits in front
of Django in the WSGI application (kluis/wsgi.py) and answers exactly that request, with
the same pieces Django's path uses, in the same order:

- the same rate-limit counters (`ApiIpThrottle`, `ApiKeyThrottle`), before the key is
  looked up;
- the same key lookup and checks (`usable_key`: digest compared in constant time, not
  revoked or expired, company active, last-used time kept), and on PostgreSQL the same
  narrowing of the connection to the key's company, widened again afterwards;
- the same permission (`people.view`) and fields (`plain_fields`) from the key's scopes;
- the same rows (the ORM's query for the same company, compiled once), each row's JSON
  object written by the database itself (`json_page`: the same keys, in the same order,
  with the same values as Django's path writes, though not always byte for byte: a
  custom field's "é" may come as "\\u00e9"), the same signed cursors (`cursor_token`),
  and the same response headers (the security middleware's, computed by that middleware).

It answers only the plain case: GET, an API key as `Authorization: Bearer`, no cookie, an
Accept of JSON, at most `page_size` (canonical, 1-200) and a forward `cursor` as made by
`next` links, an allowed host, HTTPS where it is required, a key whose scopes give a
page without sealed fields, under the rate limits. For anything else, including every
error, it hands the untouched request to Django, which answers as it always does; the
counts already made travel along in the environ (throttling.COUNTED), so a request is
counted once. tests/api/test_fast_lane.py holds both paths to the same answers.
`KLUIS_API_FAST_LANE=off` sends everything through Django.
"""

from __future__ import annotations

import functools
import json
import logging
import re
import secrets
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote_plus

from django.conf import settings
from django.core import signals, signing
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csp import ContentSecurityPolicyMiddleware
from django.middleware.security import SecurityMiddleware
from django.utils import timezone, translation
from django.utils.encoding import escape_uri_path
from rest_framework.pagination import Cursor

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.permissions import Scope, grants_of_scopes
from kluis.integrations.keys import key_facts, key_is_usable, looks_like_a_key
from kluis.integrations.rest.authentication import mark_used
from kluis.integrations.rest.pagination import (
    MAX_PAGE_SIZE,
    KluisCursorPagination,
    cursor_token,
    read_cursor_token,
)
from kluis.integrations.rest.throttling import ApiIpThrottle, ApiKeyThrottle, rate_limit_headers
from kluis.operations.logging import current_request_id
from kluis.operations.middleware import VALID_REQUEST_ID, SecurityHeadersMiddleware
from kluis.people.api.employees import json_page, plain_fields
from kluis.people.permissions import scope_of
from kluis.tenancy.rls import widen

logger = logging.getLogger(__name__)

PATH = "/api/v1/employees/"
# What the employee list view answers to (its allowed methods, DRF's Allow header).
ALLOW = "GET, POST, HEAD, OPTIONS"
ACCEPTABLE = frozenset({"", "*/*", "application/json"})
PAGE_SIZE = re.compile(r"[1-9][0-9]{0,2}")
POSITION = re.compile(r"[1-9][0-9]{0,17}")

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def _forward_position(raw: str) -> int | None:
    """The id after which a `next` link's cursor continues; None for any other cursor
    (reversed, with an offset, for another ordering, or not ours: Django judges those)."""
    try:
        offset, reverse, position, ordering = read_cursor_token(raw)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if offset != 0 or reverse != 0 or ordering != ["id"]:
        return None
    if not isinstance(position, str) or not POSITION.fullmatch(position):
        return None
    return int(position)


def _position(position: str, *, reverse: bool) -> Cursor:
    """A cursor at a row's id as DRF's pagination makes it (the id as text, no offset)."""
    return Cursor(offset=0, reverse=reverse, position=position)  # type: ignore[arg-type]


def plan(environ: dict[str, Any]) -> tuple[str, int, int | None, bool] | None:
    """(key, page size, id to continue after, page size given) when the fast lane may
    answer the request on its shape alone, before anything is counted or looked up."""
    if environ.get("HTTP_COOKIE") or environ.get("HTTP_ACCEPT", "") not in ACCEPTABLE:
        return None
    scheme, _sep, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not looks_like_a_key(token):
        return None
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    query = dict(pairs)
    if len(query) != len(pairs) or not query.keys() <= {"page_size", "cursor"}:
        return None
    size = KluisCursorPagination.page_size
    if "page_size" in query:
        if not PAGE_SIZE.fullmatch(query["page_size"]) or int(query["page_size"]) > MAX_PAGE_SIZE:
            return None
        size = int(query["page_size"])
    after = None
    if "cursor" in query:
        after = _forward_position(query["cursor"])
        if after is None:
            return None
    return token, size, after, "page_size" in query


def page_body(following: str | None, preceding: str | None, objects: list[str]) -> bytes:
    """The page as DRF's JSONRenderer writes `{"next", "previous", "results"}` (compact,
    UTF-8 unescaped, U+2028 and U+2029 escaped), the results being the objects' text as
    the database wrote it."""
    links = f'{{"next":{_json(following)},"previous":{_json(preceding)},"results":['
    text = f"{links}{','.join(objects)}]}}"
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def _json(value: str | None) -> str:
    return json.dumps(value, ensure_ascii=False)


@functools.lru_cache(maxsize=4)
def _security_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers Django's middleware adds to an API response (HSTS, CSP, X-Frame-Options,
    nosniff, referrer and opener policies, Kluis's own), made by that middleware itself
    around an empty response; they depend on the request only by HTTPS or not."""
    request = HttpRequest()
    request.is_secure = lambda: secure  # type: ignore[method-assign]
    request.path = PATH

    def empty(_request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    chain = SecurityMiddleware(
        ContentSecurityPolicyMiddleware(XFrameOptionsMiddleware(SecurityHeadersMiddleware(empty)))
    )
    response = chain(request)
    assert isinstance(response, HttpResponse)
    return tuple(
        (name, value)
        for name, value in response.headers.items()
        if name not in ("Content-Type", "Content-Length")
    )


@functools.lru_cache(maxsize=256)
def fields_for_scopes(scopes: tuple[str, ...]) -> tuple[str, ...] | None:
    """The fields of a list page for a client with these scopes, when the fast lane can
    serve it: `people.view` held (else Django's 403), and only plain fields to show (else
    Django's path, which opens sealed fields and audits it). As for the actor Django's path
    makes of the same client (`Actor.for_api_client`): its grants are its scopes'."""
    actor = Actor(kind="api_client", label="api:fast-lane", _grants=grants_of_scopes(scopes))
    if not can(actor, "people.view") or scope_of(actor, "people.view") != Scope.COMPANY:
        return None
    names = plain_fields(actor, None)
    return tuple(names) if names is not None else None


class FastLane:
    """WSGI middleware: answers the plain employee list itself, hands the rest to Django."""

    def __init__(self, django: WSGIApp) -> None:
        self.django = django
        self.enabled = bool(getattr(settings, "API_FAST_LANE", True)) and not (
            settings.PREPEND_WWW or settings.DISALLOWED_USER_AGENTS
        )

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        if (
            not self.enabled
            or environ.get("REQUEST_METHOD") != "GET"
            or environ.get("PATH_INFO") != PATH
        ):
            return self.django(environ, start_response)
        planned = plan(environ)
        if planned is None:
            return self.django(environ, start_response)
        signals.request_started.send(sender=self.__class__, environ=environ)
        try:
            answer = self.answer(environ, *planned)
        except Exception:
            # Never an error page from here: Django answers, and logs what goes wrong there.
            logger.exception("The API fast lane failed; Django answers the request.")
            answer = None
        if answer is None:
            return self.django(environ, start_response)
        signals.request_finished.send(sender=self.__class__)
        headers, body = answer
        start_response("200 OK", headers)
        return [body]

    def answer(
        self, environ: dict[str, Any], token: str, size: int, after: int | None, sized: bool
    ) -> tuple[list[tuple[str, str]], bytes] | None:
        """The response's headers and body, or None to let Django answer."""
        request = WSGIRequest(environ)
        try:
            host = request.get_host()
        except DisallowedHost:
            return None
        secure = request.is_secure()
        if settings.SECURE_SSL_REDIRECT and not secure:
            return None
        incoming = environ.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if VALID_REQUEST_ID.match(incoming) else secrets.token_hex(12)
        current_request_id.set(request_id)
        # Counted before the key is looked up, as in Django's path: guessing is limited too.
        for throttle in (ApiIpThrottle(), ApiKeyThrottle()):
            if not throttle.allow_request(request, None):  # type: ignore[arg-type]
                return None
        try:
            facts = key_facts(token)
            now = timezone.now()
            if facts is None or not key_is_usable(
                facts.revoked_at,
                facts.client_revoked_at,
                facts.expires_at,
                facts.tenant_active,
                now,
            ):
                return None
            names = fields_for_scopes(facts.client_scopes)
            if names is None:
                return None
            mark_used(facts.key_id, facts.last_used_at, now)
            rows = json_page(facts.tenant_id, names, size, after)
        finally:
            widen()  # the key lookup narrows the connection (PostgreSQL)
        if rows is None:
            return None
        page = rows[:size]
        # The links `KluisCursorPagination` makes: the request's URL with the cursor set, its
        # query parameters sorted (here at most cursor and page_size).
        base = f"{request.scheme}://{host}{escape_uri_path(request.path)}?cursor="
        tail = f"&page_size={size}" if sized else ""
        following = preceding = None
        if len(rows) > size and page:
            signed = cursor_token(_position(str(page[-1][1]), reverse=False), ("id",))
            following = f"{base}{quote_plus(signed)}{tail}"
        if after is not None:
            position = str(page[0][1]) if page else str(after)
            signed = cursor_token(_position(position, reverse=True), ("id",))
            preceding = f"{base}{quote_plus(signed)}{tail}"
        body = page_body(following, preceding, [text for text, _id in page])
        language = translation.get_language_from_request(request)  # as LocaleMiddleware
        headers = [
            ("Content-Type", "application/json"),
            ("Allow", ALLOW),
            *rate_limit_headers(request).items(),  # type: ignore[arg-type]
            ("Content-Length", str(len(body))),
            # Django's session and locale middleware vary API responses on these too.
            ("Vary", "Accept-Language, Cookie"),
            ("Content-Language", language),
            *_security_headers(secure),
            ("X-Request-ID", request_id),
        ]
        return headers, body
