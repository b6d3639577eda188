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


@dataclass(frozen=True)
class Route:
    """A path of its own under `/api/v1/` beside the resources' two: an action on an
    object (`webhooks/<id:webhook_pk>/ping/`) or a list under one (its deliveries). Its
    object ids use the <id:...> converter like every other path, so the isolation walk
    (tests/api/test_isolation.py) tries it with another company's ids."""

    route: str  # after /api/v1/, ending in "/"
    viewset: type[Any]
    actions: dict[str, str]
    name: str


_RESOURCES: dict[str, Resource] = {}
_ROUTES: dict[str, Route] = {}


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


def find(prefix: str) -> Resource | None:
    """The resource at `/api/v1/<prefix>/`, for code outside a request (the worker), which
    may not have loaded the URL conf that discovers the apps' `api` packages."""
    if prefix not in _RESOURCES:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("api")
    return _RESOURCES.get(prefix)


def register_route(route: str, viewset: type[Any], *, name: str, actions: dict[str, str]) -> Route:
    """Register a path that is not a resource's collection or item."""
    if route in _ROUTES and _ROUTES[route].viewset is not viewset:
        raise ValueError(f"/api/v1/{route} is registered twice")
    _ROUTES[route] = Route(route=route, viewset=viewset, actions=actions, name=name)
    return _ROUTES[route]


def routes() -> list[Route]:
    """Every registered route, in the order registered."""
    return list(_ROUTES.values())
