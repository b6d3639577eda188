"""Object ids in API paths. `<id:...>` takes any path segment, so that `/employees/abc/`
reaches the view like `/employees/42/` does: authenticated, rate limited and then
answered 400 (not a whole number) instead of a bare router 404 before any of that."""

from __future__ import annotations

from typing import Any

from django.urls import register_converter

from kluis.api.exceptions import PathError

BIGGEST_ID = 2**63 - 1  # a bigint: the widest primary key on either database


class InvalidId(str):
    """A path segment where an id belongs that is not one."""


class ObjectIdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> int | InvalidId:
        if value.isascii() and value.isdigit() and int(value) <= BIGGEST_ID:
            return int(value)
        return InvalidId(value)

    def to_url(self, value: Any) -> str:
        return str(value)


register_converter(ObjectIdConverter, "id")


def check_path_ids(kwargs: dict[str, Any]) -> None:
    """400 for an id in the path that is not a whole number (a well-formed unknown id is
    the view's 404)."""
    if any(isinstance(value, InvalidId) for value in kwargs.values()):
        raise PathError({"id": [f"Give the id as a whole number from 0 to {BIGGEST_ID}."]})
