"""A resource declared once (decision 0008).

An app describes a resource in one `Declaration`: its model, the fields a client sees
and sends (a serializer: their JSON types, which are read-only, how a body is checked),
the column behind each field shown as stored, the sealed fields and how a token opens
(its column, or computed per row by the database as of today: an employee's wage in
force), the permission revealing each field a reader may lack (`revealed_by`: without it
the field is absent, not null), the filters and orderings a list takes, the permissions
for reading and for writing, the service functions that create, change and delete it,
whether it has a version column, the domain events those services emit, and examples.
`declare()` makes everything else from it and registers it:

- the viewset: list (with `?fields=`, filters, ordering, cursor pages compiled once per
  shape, and each row's JSON written by the database when every field asked for and
  revealed is a column or sealed), read one (ETag), create (Idempotency-Key), change
  (PATCH and PUT, If-Match, or a `version` for a versioned resource), delete (If-Match);
  the tenant narrowing (`Model.objects.for_actor`), the strict query parameters and the
  permission of each method;
- the OpenAPI document's operations (summaries, parameters, problem responses,
  examples);
- the URL conf and the registry entry, so the registry-wide test harness
  (tests/api/test_resources.py) covers the resource without being told.

Where what a reader sees of a row depends on the row (a member reads more of their own
employee record than of their reports'), the declaration gives `represent_rows`, which
shows a page for that reader; a page every asked field of which reaches the whole company
is still written by the database. Every people resource, employees included, is a
declaration; the read-only feeds (the change feed, the audit log, members and roles)
still register viewsets of their own on the same base (kluis/api/views.py) with
`kluis.api.registry.register`.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, ClassVar

import django_filters
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.permissions import Scope
from kluis.api.concurrency import etag_for, expected_version
from kluis.api.declaration import (
    Declaration,
    ItemAction,
    Precondition,
    scope_of,
)
from kluis.api.declared_schema import schema_of
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.registry import Resource, register, register_route
from kluis.api.sparse import if_match, linked, pick, requested_fields
from kluis.api.views import RowViewSet, check_step_up, field_names


class DeclaredViewSet(RowViewSet):
    """The viewset every declared resource gets (`declare` subclasses it per resource)."""

    declaration: ClassVar[Declaration]

    def get_serializer_class(self) -> type[serializers.Serializer]:
        changing = self.action in ("partial_update", "update")
        if changing and self.declaration.change_serializer is not None:
            return self.declaration.change_serializer
        if self.action == "create" and self.declaration.create_serializer is not None:
            return self.declaration.create_serializer
        return self.declaration.serializer

    def get_queryset(self) -> QuerySet[Any]:
        declaration = self.declaration
        model = declaration.model
        if getattr(self, "swagger_fake_view", False):
            return model._default_manager.none()
        if declaration.rows is not None:
            return declaration.rows(self.actor)
        return model._default_manager.for_actor(self.actor)  # type: ignore[attr-defined]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        also = self.declaration.write_also
        writing = request.method not in ("GET", "HEAD", "OPTIONS")
        if also is not None and writing and not can(self.actor, also):
            raise PermissionDenied(
                f"Changing {self.declaration.prefix.replace('-', ' ')} needs the "
                f"permission to read them as well ({also})."
            )

    def partial_update(self, request: Request, **kwargs: Any) -> Response:
        declaration = self.declaration
        whole = declaration.change_serializer is not None and not declaration.replace
        return self._write(request, kwargs[self.object_url_kwarg], partial=not whole)

    def _context(self) -> dict[str, Any]:
        """What a body's fields may check against: the client's company."""
        return {"tenant": self.actor.tenant}

    def shown_rows(self, rows: list[Any], only: set[str] | None) -> list[dict[str, Any]]:
        """The rows as this reader sees them: the fields asked for, less those whose
        revealing permission is not the reader's (absent, not null), the reading audited."""
        declaration = self.declaration
        if declaration.represent_rows is not None:
            return declaration.represent_rows(self.actor, rows, only)
        hidden = declaration.hidden_from(self.actor)
        if hidden:
            only = (only if only is not None else set(declaration.fields)) - hidden
        self.shown(rows, only)
        return [pick(self.represent(row), only) for row in rows]

    def one(self, row: Any, code: int = 200) -> Response:
        declaration = self.declaration
        if declaration.represent_rows is None and not declaration.revealed_by:
            return super().one(row, code)
        only = requested_fields(self.request, self.selectable)
        data = self.shown_rows([row], only)[0]
        response = Response(data, status=code)
        # A versioned row's ETag names its version; another's is a digest of every field
        # the reader may see (a hidden field's change does not show in it).
        response["ETag"] = self.etag(row, data if declaration.versioned else self._tagged(row))
        return response

    def _tagged(self, row: Any) -> dict[str, Any]:
        hidden = self.declaration.hidden_from(self.actor)
        return {key: value for key, value in self.represent(row).items() if key not in hidden}

    def precondition(self) -> Precondition:
        """If-Match against the row as the service locked it (412 when stale)."""
        return if_match(self.request, lambda row: self.etag(row, self._tagged(row)))

    def etag(self, row: Any, data: dict[str, Any]) -> str:
        if self.declaration.versioned:
            return etag_for(row)
        return super().etag(row, data)

    def text_fields(self, only: set[str] | None) -> list[str] | None:
        """The fields asked for that this reader may see; None when one of them is revealed
        to the reader for some rows only (`shown_rows` then answers row by row)."""
        declaration = self.declaration
        actor = self.actor
        names: list[str] = []
        for name in field_names(self):
            needed = declaration.revealed_by.get(name)
            if (only is not None and name not in only) or (
                needed is not None and (reach := scope_of(actor, needed)) is None
            ):
                continue
            if needed is not None and reach != Scope.COMPANY:
                return None
            rule = declaration.revealed_when.get(name)
            if rule is not None:
                everywhere = rule(actor)
                if everywhere is None:
                    return None
                if not everywhere:
                    continue
            names.append(name)
        return names

    def shown(self, rows: list[Any], only: set[str] | None) -> None:
        declaration = self.declaration
        if declaration.audit_read is None or not rows:
            return
        if only is None or declaration.audited & only:
            declaration.audit_read(self.actor, rows)

    def opened(self, rows: list[dict[str, Any]], fields: list[str]) -> None:
        """The rows (with their opened values) of a page written by the database."""
        declaration = self.declaration
        if declaration.audit_read is not None and rows and declaration.audited & set(fields):
            declaration.audit_read(self.actor, [SimpleNamespace(**row) for row in rows])

    def represent(self, row: Any) -> dict[str, Any]:
        return self.declaration.show(row)

    def _linked(self, tenant_id: int, data: dict[str, Any]) -> dict[str, Any]:
        for name, model in self.declaration.links.items():
            if name in data:
                data[name] = linked(model, tenant_id, data[name], name)
        return data

    @idempotent
    def create(self, request: Request) -> Response:
        declaration = self.declaration
        assert declaration.create is not None
        body = declaration.create_serializer or declaration.serializer
        serializer = body(data=request.data, context=self._context())
        serializer.is_valid(raise_exception=True)
        actor: Actor = self.actor
        tenant = actor.tenant
        assert tenant is not None
        data = self._linked(tenant.pk, dict(serializer.validated_data))
        row = declaration.create(actor, tenant, data)
        response = self.one(row, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/{declaration.prefix}/{row.pk}/"
        return response

    def _write(self, request: Request, pk: Any, *, partial: bool) -> Response:
        """As RowViewSet's; a versioned row's change is checked against the version the
        client read (If-Match or the body's `version`) by the service, under its lock,
        and answered with the row as the service wrote it."""
        declaration = self.declaration
        if not declaration.versioned:
            return super()._write(request, pk, partial=partial)
        assert declaration.change is not None
        row = self.get_row(pk)
        body = self.get_serializer_class()(
            data=request.data, partial=partial, context=self._context()
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = expected_version(request, row, data.pop("version", None))
        data = self._linked(row.tenant_id, data)
        try:
            changed = declaration.change(self.actor, row, data, expected_version=version)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404(self.not_found) from None
        return self.one(changed)

    def change(self, row: Any, data: dict[str, Any], precondition: Precondition) -> Any:
        assert self.declaration.change is not None
        data = self._linked(row.tenant_id, data)
        return self.declaration.change(self.actor, row, data, precondition=precondition)

    def remove(self, row: Any, precondition: Precondition) -> None:
        assert self.declaration.remove is not None
        self.declaration.remove(self.actor, row, precondition=precondition)

    def list(self, request: Request) -> Response:
        only = requested_fields(request, self.selectable)
        text = self.text_page(only)
        if text is not None:
            return text  # type: ignore[return-value]
        return self.get_paginated_response(self.shown_rows(self.page(), only))

    def retrieve(self, request: Request, **kwargs: Any) -> Response:
        requested_fields(request, self.selectable)  # a bad `?fields=` is a 400 first
        return self.one(self.get_row(kwargs[self.object_url_kwarg]))

    def item_action(self) -> ItemAction | None:
        """The action on one object this request runs, if any."""
        name = (self.action or "").removeprefix("act_")
        if not (self.action or "").startswith("act_"):
            return None
        return next(a for a in self.declaration.actions if a.name == name)

    def check_permissions(self, request: Request) -> None:
        item = self.item_action()
        if item is not None:  # an action needs its own permission, not the write one
            self.required_permissions = {"POST": item.permission}  # type: ignore[misc]
        super().check_permissions(request)

    def run_action(self, request: Request, pk: Any) -> Response:
        """An action on one object: the object the reader reaches (404 otherwise, before
        the body is looked at), the body checked, the service run against the version the
        client read (If-Match or `version`, versioned resources)."""
        item = self.item_action()
        assert item is not None
        row = self.get_row(pk)
        if item.step_up:
            check_step_up(request)
        body = item.body(data=request.data, context=self._context())
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        version = None
        if self.declaration.versioned:
            version = expected_version(request, row, data.pop("version", None))
        else:
            self.precondition()(row)
        try:
            changed = item.service(self.actor, row, data, expected_version=version)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404(self.not_found) from None
        return self.one(self.get_row(changed.pk))

    def read_history(self, request: Request, **kwargs: Any) -> Response:
        """The object's history, oldest first, in one page."""
        history = self.declaration.history
        assert history is not None
        row = self.get_row(kwargs[self.object_url_kwarg])
        steps = [history.represent(self.actor, row, step) for step in history.rows(row)]
        return Response({"next": None, "previous": None, "results": steps})


def viewset_for(d: Declaration) -> type[DeclaredViewSet]:
    """The viewset of a declared resource."""
    filterset = type(
        f"{d.model.__name__}ApiFilter",
        (django_filters.FilterSet,),
        {**d.filters, "Meta": type("Meta", (), {"model": d.model, "fields": []})},
    )
    methods = {"GET": d.read}
    if d.write is not None:
        if d.create is not None:
            methods["POST"] = d.write
        if d.change is not None:
            methods["PATCH"] = d.write
            if d.replace:
                methods["PUT"] = d.write
        if d.remove is not None:
            methods["DELETE"] = d.write
    attributes = {
        "__module__": d.model.__module__,
        "__doc__": d.about or f"The {d.prefix.replace('-', ' ')} of the client's company.",
        "declaration": d,
        "selectable": set(d.fields),
        "columns": dict(d.columns),
        "sealed_columns": dict(d.sealed),
        "opening_columns": d.opening_columns,
        "object_url_kwarg": d.lookup,
        "not_found": f"No such {d.singular}",
        "serializer_class": d.serializer,
        "filterset_class": filterset,
        "filter_backends": [StrictFilterBackend, StrictOrderingFilter],
        "ordering_fields": list(d.orderings),
        "ordering": [d.orderings[0]],
        "required_permissions": methods,
        "query_parameters": {
            "list": {"cursor", "page_size", "ordering", "fields", *d.filters},
            "retrieve": {"fields"},
            "create": set(),
            "partial_update": set(),
            "update": set(),
            "destroy": set(),
            "history": set(),
            **{f"act_{a.name}": set() for a in d.actions},
        },
        "conflict_errors": d.conflicts,
    }
    for a in d.actions:
        attributes[f"act_{a.name}"] = _action_method(d.lookup, a.name)
    if d.history is not None:
        attributes["history"] = _history_method()
    name = "".join(part.title() for part in d.prefix.split("-"))
    viewset = type(f"{name}ViewSet", (DeclaredViewSet,), attributes)
    return extend_schema_view(**schema_of(d))(viewset)


def _action_method(lookup: str, name: str) -> Callable[..., Response]:
    def act(self: DeclaredViewSet, request: Request, **kwargs: Any) -> Response:
        return self.run_action(request, kwargs[lookup])

    # Named as an extra action's methods are, so the OpenAPI document finds it (a plain
    # dict: no router turns it into a route of its own).
    act.mapping = {"post": f"act_{name}"}  # type: ignore[attr-defined]
    return act


def _history_method() -> Callable[..., Response]:
    def history(self: DeclaredViewSet, request: Request, **kwargs: Any) -> Response:
        return self.read_history(request, **kwargs)

    history.mapping = {"get": "history"}  # type: ignore[attr-defined]
    return history


def declare(d: Declaration) -> Resource:
    """Make the resource's viewset and register it (kluis/api/registry.py)."""
    if d.write is None and (d.create or d.change or d.remove):
        raise ValueError(f"{d.prefix}: services that write need a write permission")
    unknown = set(d.columns) - set(d.fields)
    if unknown:
        raise ValueError(f"{d.prefix}: columns of fields the serializer lacks: {sorted(unknown)}")
    if d.represent is None and d.represent_rows is None and set(d.fields) - set(d.columns):
        raise ValueError(f"{d.prefix}: fields without a column need `represent`")
    if d.represent_rows is not None and not d.versioned:
        raise ValueError(f"{d.prefix}: `represent_rows` needs a version column for the ETag")
    unknown = (set(d.revealed_by) | set(d.revealed_when)) - set(d.fields)
    if unknown:
        raise ValueError(f"{d.prefix}: revealed fields the serializer lacks: {sorted(unknown)}")
    if d.revealed_when and d.represent_rows is None:
        raise ValueError(f"{d.prefix}: `revealed_when` needs `represent_rows` for its rows")
    collection = {"get": "list"}
    if d.create is not None:
        collection["post"] = "create"
    item = {"get": "retrieve"}
    if d.change is not None:
        item["patch"] = "partial_update"
        if d.replace:
            item["put"] = "update"
    if d.remove is not None:
        item["delete"] = "destroy"
    viewset = viewset_for(d)
    item_path = f"{d.prefix}/<id:{d.lookup}>/"
    item_name = d.singular.replace(" ", "-")
    for a in d.actions:
        register_route(
            f"{item_path}{a.name}/",
            viewset,
            name=f"{item_name}-{a.name}",
            actions={"post": f"act_{a.name}"},
        )
    if d.history is not None:
        register_route(
            f"{item_path}history/", viewset, name=f"{item_name}-history", actions={"get": "history"}
        )
    return register(
        d.prefix,
        viewset,
        name=d.prefix,
        collection=collection,
        item_name=d.singular.replace(" ", "-"),
        lookup=d.lookup,
        item=item,
        declaration=d,
    )
