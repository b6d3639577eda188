"""The API's resources, registered by the apps that own them.

`kluis.api` knows no domain app: each app's `api` package registers its resources here
when it is imported (kluis/api/urls.py imports every installed app's `api` package, as
Django's admin discovers `admin` modules), and the URL conf, the OpenAPI document and the
isolation walks are made from what was registered."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Resource:
    """One resource at `/api/v1/<prefix>/` (its collection) and, when `item` names
    methods, `/api/v1/<prefix>/<id>/` (one object, the id in the `lookup` keyword)."""

    prefix: str
    viewset: type[Any]
    name: str
    collection: dict[str, str]
    item_name: str = ""
    lookup: str = "pk"
    item: dict[str, str] = field(default_factory=dict)
    declaration: Any = None  # the resource's kluis.api.declared.Declaration, if declared


_RESOURCES: dict[str, Resource] = {}


def register(
    prefix: str,
    viewset: type[Any],
    *,
    name: str,
    collection: dict[str, str],
    item_name: str = "",
    lookup: str = "pk",
    item: dict[str, str] | None = None,
    declaration: Any = None,
) -> Resource:
    """Register a resource; registering the same prefix twice is a mistake."""
    if prefix in _RESOURCES and _RESOURCES[prefix].viewset is not viewset:
        raise ValueError(f"/api/v1/{prefix}/ is registered twice")
    resource = Resource(
        prefix=prefix,
        viewset=viewset,
        name=name,
        collection=collection,
        item_name=item_name,
        lookup=lookup,
        item=item or {},
        declaration=declaration,
    )
    _RESOURCES[prefix] = resource
    return resource


def resources() -> list[Resource]:
    """Every registered resource, in the order registered."""
    return list(_RESOURCES.values())
