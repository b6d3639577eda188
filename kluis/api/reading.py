"""Reading one object as an actor would read it at `GET /api/v1/<prefix>/<id>/`, outside
an HTTP request (a webhook's full object, sent by the worker).

The resource's own viewset answers, with its own permission for GET, tenant narrowing,
field visibility (a sealed field only for a reader holding its permission) and audited
reads: there is no second representation of any resource to keep equal to the API's."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.test import RequestFactory
from rest_framework.exceptions import APIException
from rest_framework.request import Request

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.api.principal import ApiPrincipal
from kluis.api.registry import find

_FACTORY = RequestFactory()


def read_one(prefix: str, actor: Actor, pk: Any) -> dict[str, Any] | None:
    """The object as `actor` reads it, or None: no such resource, no permission to read
    it, not found (or not the actor's company's)."""
    resource = find(prefix)
    if resource is None or resource.item.get("get") != "retrieve":
        return None
    viewset_class = resource.viewset
    needed = getattr(viewset_class, "required_permissions", {}).get("GET")
    if needed is None or not can(actor, needed):
        return None
    url = f"/api/v1/{prefix}/{pk}/"
    raw = _FACTORY.get(url, secure=True)
    raw.user = ApiPrincipal(actor=actor, client=None)  # type: ignore[assignment]
    view = viewset_class(action="retrieve", format_kwarg=None, args=(), kwargs={})
    request = Request(raw)
    request.user = raw.user
    view.request = request
    view.kwargs = {view.object_url_kwarg: str(pk)}
    view.headers = {}
    try:
        response = view.retrieve(request, **view.kwargs)
    except (Http404, APIException):
        return None
    return dict(response.data) if response.status_code == 200 else None
