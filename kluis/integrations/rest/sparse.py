"""Shared pieces of the smaller resources: `?fields=` (sparse fieldsets), an ETag for
objects without a version column (a digest of what the client sees), the Idempotency-Key
parameter and looking up a linked object of the client's company."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.request import Request

from kluis.integrations.rest.exceptions import QueryParameterError

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
    "instead of creating twice.",
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
    found = model._default_manager.filter(tenant_id=tenant_id, pk=pk).first()
    if found is None:
        raise ValidationError({field: ["Choose one from the list."]})
    return found


def check_if_match(request: Request, current: str) -> None:
    """412 when an If-Match header names none of the current ETag (or `*`)."""
    from kluis.integrations.rest.exceptions import PreconditionFailed

    header = request.META.get("HTTP_IF_MATCH")
    if header is None:
        return

    def opaque(tag: str) -> str:
        tag = tag.strip()
        return tag[2:] if tag.startswith("W/") else tag

    tags = [opaque(t) for t in header.split(",") if t.strip()]
    if "*" not in tags and opaque(current) not in tags:
        raise PreconditionFailed()
