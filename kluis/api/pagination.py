"""Cursor pagination: stable under inserts, no deep OFFSET scans. `page_size` up to 200."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from bisect import bisect_left
from collections.abc import Callable, Hashable, Sequence
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlencode

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpResponse
from rest_framework.pagination import Cursor, CursorPagination, _reverse_ordering
from rest_framework.request import Request

from kluis.api.compiled import Slots, kind_of, plan_for, run
from kluis.api.exceptions import QueryParameterError

MAX_PAGE_SIZE = 200
CURSOR_SALT = "kluis.api.cursor"


# Cursors are `django.core.signing.dumps(value, salt=CURSOR_SALT)` tokens (base64 JSON, a
# timestamp, an HMAC-SHA256 of both). Made and checked here with the HMAC key derived once
# per secret key (signing derives it again on every call, which cost more than the rest of
# a cursor); tests/api/test_pagination.py holds both to the same tokens. What this does not
# take (a token signed with a key of SECRET_KEY_FALLBACKS, a compressed one, a bad one)
# goes to `signing.loads` as before.


@functools.lru_cache(maxsize=4)
def _cursor_mac(secret_key: str) -> Any:
    """`TimestampSigner(salt=CURSOR_SALT)`'s HMAC before any message: keyed with
    sha256(salt + "signer" + secret key), as `salted_hmac` keys it."""
    key = hashlib.sha256(f"{CURSOR_SALT}signer".encode() + secret_key.encode()).digest()
    return hmac.new(key, digestmod=hashlib.sha256)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _signature(value: str) -> str:
    mac = _cursor_mac(settings.SECRET_KEY).copy()
    mac.update(value.encode())
    return _b64(mac.digest())


def cursor_token(cursor: Cursor, ordering: Sequence[str]) -> str:
    """The signed `?cursor=` value for a position in a list in `ordering`."""
    value = [cursor.offset, int(cursor.reverse), cursor.position, list(ordering)]
    data = _b64(json.dumps(value, separators=(",", ":")).encode("latin-1"))
    stamped = f"{data}:{signing.b62_encode(int(time.time()))}"
    return f"{stamped}:{_signature(stamped)}"


def read_cursor_token(token: str) -> Any:
    """What `cursor_token` signed; `signing.BadSignature` (or a TypeError or ValueError)
    for anything that is not such a token. Cursors do not expire: the timestamp is not
    read, as `signing.loads` without `max_age` does not."""
    stamped, _sep, signature = token.rpartition(":")
    data = stamped.rpartition(":")[0]
    if data and not data.startswith(".") and hmac.compare_digest(signature, _signature(stamped)):
        return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    return signing.loads(token, salt=CURSOR_SALT)


def link_with(url: str, key: str, value: str) -> str:
    """`url` with its query parameter `key` set to `value`: the same link as DRF's
    `replace_query_param` (the parameters sorted, each encoded by `urlencode`), with the
    rest of the query parsed and encoded once per distinct query, not on every page."""
    head, _sep, query = url.partition("?")
    rest = "&".join(p for p in query.split("&") if p.partition("=")[0] != key) if query else ""
    before, after = _link_template(rest, key)
    encoded = f"{quote_plus(key)}={quote_plus(value)}"
    return f"{head}?{'&'.join(part for part in (before, encoded, after) if part)}"


@functools.lru_cache(maxsize=1024)
def _link_template(rest: str, key: str) -> tuple[str, str]:
    """The encoded parameters of `rest` that sort before and after `key`."""
    params = parse_qs(rest, keep_blank_values=True)
    params.pop(key, None)
    items = sorted(params.items())
    at = bisect_left([name for name, _values in items], key)
    return urlencode(items[:at], doseq=True), urlencode(items[at:], doseq=True)


EXAMPLE_CURSOR = "cj0wJnA9NDI%3D"


class KluisCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        # Digits only: int() would also take "+5", " 5" or other scripts' digits.
        size = int(raw) if raw.isascii() and raw.isdigit() else 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise QueryParameterError(
                {"page_size": [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return size

    def get_ordering(self, request: Request, queryset: Any, view: Any) -> tuple[str, ...]:
        """The client's ordering, then the id: rows that tie on the first field come back
        in one fixed order, which the cursor (a position plus an offset into the tie)
        relies on. PostgreSQL returns ties in any order, so pages overlapped there."""
        ordering: tuple[str, ...] = tuple(super().get_ordering(request, queryset, view))
        if ordering[0].lstrip("-") in ("id", "pk"):
            return ordering
        return (*ordering, "-pk" if ordering[0].startswith("-") else "pk")

    def paginate_queryset(  # type: ignore[override]
        self, queryset: QuerySet[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        """DRF's cursor pagination, its query and its bookkeeping split in two (`_begin`,
        `_shaped`, `_settle`) so the compiled path below shares both."""
        offset, reverse, current = self._begin(request, view)
        rows = list(self._shaped(queryset, offset, reverse, current, current))
        return self._settle(rows, offset, reverse, current)

    def paginate_compiled(
        self,
        request: Request,
        view: Any,
        rows: Callable[[Slots], QuerySet[Any]],
        values: dict[str, Any],
        shape: Hashable,
    ) -> list[Any] | None:
        """The same page as `paginate_queryset(rows(...))`, its SQL compiled once per
        shape (kluis/api/compiled.py): `rows` builds the list's queryset with the slots'
        sentinels, `values` are this request's values for them. None when the shape
        cannot be compiled (the caller then takes `paginate_queryset`)."""
        offset, reverse, current = self._begin(request, view)
        ordering = tuple(self.ordering)
        key = (shape, ordering, reverse, current is not None, offset, self.page_size)

        def build(slots: Slots) -> QuerySet[Any]:
            queryset = rows(slots)
            position = None
            if current is not None:
                name = ordering[0].lstrip("-")
                meta = queryset.model._meta
                field = meta.pk if name == "pk" else meta.get_field(name)
                position = slots("position", kind_of(field))
            return self._shaped(queryset, offset, reverse, current, position)

        plan = plan_for(key, build)
        if plan is None:
            return None
        if current is not None:
            values = {**values, "position": current}
        return self._settle(run(plan, values), offset, reverse, current)

    def _begin(self, request: Request, view: Any) -> tuple[int, bool, Any]:
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, None, view)  # type: ignore[assignment]
        self.cursor = self.decode_cursor(request)
        if self.cursor is None:
            return 0, False, None
        offset, reverse, current = self.cursor
        return offset, reverse, current

    def _shaped(
        self, queryset: QuerySet[Any], offset: int, reverse: bool, current: Any, position: Any
    ) -> QuerySet[Any]:
        """The page's queryset: ordered (backwards for a reversed cursor), after the
        cursor's `position`, one row more than the page to see whether one follows."""
        ordering = _reverse_ordering(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*ordering)
        if current is not None:
            order = self.ordering[0]
            is_reversed = order.startswith("-")
            # (cursor reversed) XOR (ordering reversed): before the position, else after.
            lookup = "__lt" if bool(reverse) != is_reversed else "__gt"
            queryset = queryset.filter(**{order.lstrip("-") + lookup: position})
        return queryset[offset : offset + self.page_size + 1]

    def _settle(self, results: list[Any], offset: int, reverse: bool, current: Any) -> list[Any]:
        """The page of `results` and where the links before and after it point (DRF's)."""
        self.page = list(results[: self.page_size])
        follows = len(results) > len(self.page)
        following = (
            self._get_position_from_instance(results[-1], self.ordering) if follows else None
        )
        if reverse:
            self.page = list(reversed(self.page))
            self.has_next = (current is not None) or (offset > 0)
            self.has_previous = follows
            if self.has_next:
                self.next_position = current
            if self.has_previous:
                self.previous_position = following
        else:
            self.has_next = follows
            self.has_previous = (current is not None) or (offset > 0)
            if self.has_next:
                self.next_position = following
            if self.has_previous:
                self.previous_position = current
        return self.page

    def get_text_paginated_response(self, objects: list[str]) -> HttpResponse:
        """The page as `get_paginated_response` renders it, the results being the text of
        each row's JSON object as the database wrote it (kluis/api/rowjson.py)."""
        following = json.dumps(self.get_next_link(), ensure_ascii=False)
        preceding = json.dumps(self.get_previous_link(), ensure_ascii=False)
        body = f'{{"next":{following},"previous":{preceding},"results":[{",".join(objects)}]}}'
        # As DRF's JSONRenderer: U+2028 and U+2029 escaped (they end a line in JavaScript).
        body = body.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return HttpResponse(body.encode(), content_type="application/json")

    # Cursors are signed and name the ordering they were made for: a client cannot craft a
    # position (which the database would be asked to compare with a date or a number), nor
    # carry a cursor over to another ordering.
    def encode_cursor(self, cursor: Cursor) -> str:
        token = cursor_token(cursor, self.ordering)
        return link_with(self.base_url or "", self.cursor_query_param, token)

    def decode_cursor(self, request: Request) -> Cursor | None:
        raw = request.query_params.get(self.cursor_query_param)
        if raw is None:
            return None
        try:
            offset, reverse, position, ordering = read_cursor_token(raw)
        except (signing.BadSignature, TypeError, ValueError):
            raise QueryParameterError({"cursor": ["This cursor is not valid."]}) from None
        if ordering != list(self.ordering):
            raise QueryParameterError(
                {"cursor": ["This cursor is for another ordering; start again without it."]}
            )
        return Cursor(
            offset=min(int(offset), self.offset_cutoff), reverse=bool(reverse), position=position
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        """What every page carries: both links (null at either end, OpenAPI 3.1 style) and
        the rows. The examples are a first page; rest/schema.py puts each path in them."""
        link = {"type": ["string", "null"], "format": "uri"}
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {
                    **link,
                    "description": "The next page; null on the last one.",
                    "example": f"https://kluis.example.com/api/v1/?cursor={EXAMPLE_CURSOR}",
                },
                "previous": {
                    **link,
                    "description": "The page before; null on the first one.",
                    "example": None,
                },
                "results": schema,
            },
        }
