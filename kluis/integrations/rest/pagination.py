"""Cursor pagination: stable under inserts, no deep OFFSET scans. `page_size` up to 200."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.request import Request

from kluis.integrations.rest.exceptions import QueryParameterError

MAX_PAGE_SIZE = 200


class KluisCursorPagination(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    ordering = "id"

    def get_page_size(self, request: Request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except ValueError:
            size = 0
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise QueryParameterError(
                {"page_size": [f"Give a whole number from 1 to {MAX_PAGE_SIZE}."]}
            )
        return size

    def decode_cursor(self, request: Request) -> Cursor | None:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise QueryParameterError({"cursor": ["This cursor is not valid."]}) from None

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return super().get_paginated_response_schema(schema)
