"""Optimistic concurrency: ETag W/"<pk>-<version>" on single objects; If-Match (or a
`version` in the body) on writes, 412 when it no longer matches."""

from __future__ import annotations

from typing import Any, Protocol

from rest_framework.request import Request

from kluis.integrations.rest.exceptions import PreconditionFailed, UnprocessableContent


class Versioned(Protocol):
    pk: Any
    version: int


def etag_for(obj: Versioned) -> str:
    return f'W/"{obj.pk}-{obj.version}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def expected_version(request: Request, obj: Versioned, body_version: Any = None) -> int:
    """The version the client based its change on. If-Match wins; without either, the
    current version (last write wins, as 428 is not required)."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is not None:
        tags = [t for t in header.split(",") if t.strip()]
        current = _opaque(etag_for(obj))
        if "*" in (t.strip() for t in tags) or any(_opaque(t) == current for t in tags):
            return obj.version
        raise PreconditionFailed()
    if body_version is not None:
        if isinstance(body_version, bool) or not isinstance(body_version, int):
            raise UnprocessableContent([{"field": "version", "message": "A whole number."}])
        return body_version
    return obj.version
