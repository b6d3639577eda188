"""Shared pieces of the smaller resources: `?fields=` (sparse fieldsets), an ETag for
objects without a version column (a digest of what the client sees) and its If-Match
check, the Idempotency-Key parameter and looking up a linked object of the client's
company."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter
from rest_framework.request import Request

from kluis.api.exceptions import (
    PROBLEM_JSON,
    HeaderError,
    QueryParameterError,
    problem,
)

FIELDS_PARAMETER = OpenApiParameter(
    "fields",
    OpenApiTypes.STR,
    description="Comma-separated fields to return (id is always returned), e.g. `id,name`.",
)
IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Retry safely: the same key and body within 24 h returns the first response "
    "(with `Idempotent-Replayed: true`) instead of creating twice; the same key with "
    "another body is a 422.",
)
IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you read, e.g. W/"2-9f86d081884c7d65"; 412 when the object changed '
    "since. Without it the change applies to the object as it is now.",
)


def requested_fields(request: Request, selectable: set[str]) -> set[str] | None:
    raw = request.query_params.get("fields")
    if raw is None:
        return None
    wanted = {f.strip() for f in raw.split(",") if f.strip()}
    unknown = sorted(wanted - selectable)
    if unknown or not wanted:
        raise QueryParameterError(
            {"fields": [f"Unknown field(s): {', '.join(unknown) or '(none given)'}."]}
        )
    return wanted | {"id"}


def pick(row: dict[str, Any], only: set[str] | None) -> dict[str, Any]:
    if only is None:
        return row
    return {key: value for key, value in row.items() if key in only}


def content_etag(pk: Any, row: dict[str, Any]) -> str:
    """W/"<pk>-<digest>" of the full representation, for objects without a version."""
    digest = hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f'W/"{pk}-{digest}"'


def linked[M: Model](model: type[M], tenant_id: int, pk: Any, field: str) -> M | None:
    """The object `pk` of the client's company, None for null; another company's or an
    unknown id is a field error (422), the same answer for both."""
    if pk is None:
        return None
    found = model._default_manager.for_tenant(tenant_id).filter(pk=pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise ValidationError({field: ["Choose one from the list."]})
    return found


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def if_match_tags(request: Request) -> list[str] | None:
    """The entity tags of If-Match (weak comparison), None without the header. A header
    that names no tag at all is malformed: a 400, before any work."""
    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        return None
    tags = [_opaque(tag) for tag in header.split(",") if tag.strip()]
    if not tags:
        raise HeaderError({"If-Match": ["Give the ETag you read, or leave the header out."]})
    return tags


def check_if_match(request: Request, current: str) -> None:
    """412 when an If-Match header names none of the current ETag (or `*`)."""
    from kluis.api.exceptions import PreconditionFailed

    tags = if_match_tags(request)
    if tags is not None and "*" not in tags and _opaque(current) not in tags:
        raise PreconditionFailed()


def if_match[R](request: Request, etag_of: Callable[[R], str]) -> Callable[[R], None]:
    """The If-Match check as a precondition a service runs on the row it has just locked,
    so no other write can come in between the check and the change. A malformed If-Match
    is a 400 now, before any work."""
    if_match_tags(request)

    def precondition(row: R) -> None:
        check_if_match(request, etag_of(row))

    return precondition


def problem_example(summary: str, status: int, detail: str, instance: str) -> OpenApiExample:
    """An example problem document for the OpenAPI schema, under its status code."""
    return OpenApiExample(
        summary,
        value=problem(status, detail, instance=instance),
        response_only=True,
        status_codes=[str(status)],
        media_type=PROBLEM_JSON,
    )
