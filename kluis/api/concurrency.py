"""Optimistic concurrency: ETag W/"<pk>-<version>" on single objects; If-Match (or a
`version` in the body) on writes, 412 when it no longer matches."""

from __future__ import annotations

from typing import Any, Protocol

from rest_framework.request import Request

from kluis.api.exceptions import PreconditionFailed, UnprocessableContent
from kluis.api.sparse import _opaque, if_match_tags


class Versioned(Protocol):
    pk: Any
    version: int


def etag_for(obj: Versioned) -> str:
    return f'W/"{obj.pk}-{obj.version}"'


def expected_version(request: Request, obj: Versioned, body_version: Any = None) -> int:
    """The version the client based its change on. If-Match wins; without either, the
    current version (last write wins, as 428 is not required)."""
    tags = if_match_tags(request)
    if tags is not None:
        if "*" in tags or _opaque(etag_for(obj)) in tags:
            return obj.version
        raise PreconditionFailed()
    if body_version is not None:
        if isinstance(body_version, bool) or not isinstance(body_version, int):
            raise UnprocessableContent([{"field": "version", "message": "A whole number."}])
        return body_version
    return obj.version
