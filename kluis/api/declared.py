"""A resource declared once (decision 0008).

An app describes a resource in one `Declaration`: its model, the fields a client sees
and sends (a serializer: their JSON types, which are read-only, how a body is checked),
the column behind each field shown as stored, the permission that opens a sealed field,
the filters and orderings a list takes, the permissions for reading and for writing, the
service functions that create, change and delete it, the domain events those services
emit, and examples. `declare()` makes everything else from it and registers it:

- the viewset: list (with `?fields=`, filters, ordering, cursor pages compiled once per
  shape, and each row's JSON written by the database when every field asked for is a
  column), read one (ETag), create (Idempotency-Key), change (PATCH and PUT, If-Match),
  delete (If-Match); the tenant narrowing (`Model.objects.for_actor`), the strict query
  parameters and the permission of each method;
- the OpenAPI document's operations (summaries, parameters, problem responses,
  examples);
- the URL conf and the registry entry, so the registry-wide test harness
  (tests/api/test_resources.py) covers the resource without being told.

A resource whose rows need more than columns and one `represent` (the employee list's
field permissions) keeps a viewset of its own on the same base (kluis/api/views.py) and
registers it with `kluis.api.registry.register`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any, ClassVar

import django_filters
from django.db.models import Model, QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.registry import Resource, register
from kluis.api.schema import problem_responses
from kluis.api.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    linked,
    problem_example,
)
from kluis.api.views import RowViewSet, Sealed

Precondition = Callable[[Any], None]


@dataclass(frozen=True)
class Declaration:
    """Everything about one resource at `/api/v1/<prefix>/`."""

    prefix: str  # "teams": the path and the name of the collection
    singular: str  # "team": the name of one object, in summaries and errors
    model: type[Model]
    # The fields, in the order a client sees them: their JSON types, which are read-only
    # and how a body is checked (a StrictSerializer refuses unknown fields).
    serializer: type[serializers.Serializer]
    # The column behind each field shown as stored ("department" -> "department_id");
    # a field not named here is made by `represent`.
    columns: Mapping[str, str]
    read: str  # the permission to read
    # What the resource is, for the API's readers (the default description of each
    # operation in the OpenAPI document).
    about: str = ""
    write: str | None = None  # the permission to create, change and delete
    # How a row is shown; by default its columns, field by field.
    represent: Callable[[Any], dict[str, Any]] | None = None
    # Filters of the list: query parameter -> django-filter filter.
    filters: Mapping[str, django_filters.Filter] = field(default_factory=dict)
    orderings: tuple[str, ...] = ("id",)  # the first is the default
    # Body fields naming another object of the same company by id: field -> its model.
    links: Mapping[str, type[Model]] = field(default_factory=dict)
    # Services. create(actor, tenant, data) -> row; change(actor, row, data,
    # precondition=) -> row; remove(actor, row, precondition=) -> None.
    create: Callable[..., Any] | None = None
    change: Callable[..., Any] | None = None
    remove: Callable[..., Any] | None = None
    # The rows a reader reaches, by default the company's (`for_actor`).
    rows: Callable[[Actor], QuerySet[Any]] | None = None
    # A permission every write needs besides `write` (e.g. seeing the amounts it sets).
    write_also: str | None = None
    # Fields whose reading is audited, and the hook recording one event per request for
    # the rows shown: audit_read(actor, rows).
    audited: frozenset[str] = frozenset()
    audit_read: Callable[[Actor, list[Any]], None] | None = None
    # Fields stored sealed (field -> its token column and how a token opens): a list page
    # is still written by the database, these opened and added to each row; its rows for
    # `audit_read` then carry only the `opening_columns` (e.g. "employee_id"). The one
    # object's `represent` shows them after the other fields, as such a page does.
    sealed: Mapping[str, Sealed] = field(default_factory=dict)
    opening_columns: tuple[str, ...] = ()
    # The body of a POST where it differs from what is shown (fields only set at creation).
    create_serializer: type[serializers.Serializer] | None = None
    # The body of a PATCH or PUT where it differs from a POST's (fields only changed).
    change_serializer: type[serializers.Serializer] | None = None
    # PUT as well as PATCH. Without PUT, a PATCH with a change body of its own sends that
    # whole body (its required fields are required), as an action's would.
    replace: bool = True
    # Domain errors meaning "the object's state refuses this": a 409 with their message.
    conflicts: tuple[type[Exception], ...] = ()
    events: tuple[str, ...] = ()  # the domain events its services emit
    example: Mapping[str, Any] = field(default_factory=dict)
    create_example: Mapping[str, Any] = field(default_factory=dict)
    change_example: tuple[str, Mapping[str, Any]] = ("", {})  # (summary, PATCH body)
    change_description: str = "Send only the fields to change."
    replace_description: str = "The body of a POST; fields left out go back to their defaults."
    delete_description: str = ""
    conflict_example: str = ""  # a 409's detail, e.g. what still uses the object
    # Overrides: an operation's summary ("create": "Define a custom field"), more
    # examples per operation, and the name of the id in the item's path.
    summaries: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, tuple[OpenApiExample, ...]] = field(default_factory=dict)
    lookup_name: str = ""
    # The collection's name in prose where it is not the prefix's ("contracts" for
    # employments).
    plural: str = ""

    @property
    def lookup(self) -> str:
        return self.lookup_name or f"{self.singular.replace(' ', '_')}_pk"

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.serializer().fields)

    def show(self, row: Any) -> dict[str, Any]:
        """The row as a client sees it (every field)."""
        if self.represent is not None:
            return self.represent(row)
        return {name: getattr(row, self.columns[name]) for name in self.fields}


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

    def shown(self, rows: list[Any], only: set[str] | None) -> None:
        declaration = self.declaration
        if declaration.audit_read is None or not rows:
            return
        if only is None or declaration.audited & only:
            declaration.audit_read(self.actor, rows)

    def opened(self, rows: list[dict[str, Any]], fields: list[str]) -> None:
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
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        actor: Actor = self.actor
        tenant = actor.tenant
        assert tenant is not None
        data = self._linked(tenant.pk, dict(serializer.validated_data))
        row = declaration.create(actor, tenant, data)
        response = self.one(row, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/{declaration.prefix}/{row.pk}/"
        return response

    def change(self, row: Any, data: dict[str, Any], precondition: Precondition) -> Any:
        assert self.declaration.change is not None
        data = self._linked(row.tenant_id, data)
        return self.declaration.change(self.actor, row, data, precondition=precondition)

    def remove(self, row: Any, precondition: Precondition) -> None:
        assert self.declaration.remove is not None
        self.declaration.remove(self.actor, row, precondition=precondition)


def _title(words: str) -> str:
    return words[:1].upper() + words[1:]


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"


def _schema(d: Declaration) -> dict[str, Any]:
    """The OpenAPI operations of a declared resource."""
    operations = _operations(d)
    return {
        action: extend_schema(
            **{
                **spec,
                "summary": d.summaries.get(action, spec["summary"]),
                "description": d.descriptions.get(action)
                or spec.get("description")
                or d.about
                or None,
                "examples": [*spec.get("examples", ()), *d.examples.get(action, ())],
            }
        )
        for action, spec in operations.items()
    }


def _operations(d: Declaration) -> dict[str, dict[str, Any]]:
    one, many = d.singular, d.plural or d.prefix.replace("-", " ")
    body = d.change_serializer or d.serializer
    a = _article(one)
    example = dict(d.example)
    operations: dict[str, dict[str, Any]] = {
        "list": dict(
            summary=f"List {many}",
            parameters=[FIELDS_PARAMETER],
            responses={200: d.serializer(many=True), **problem_responses(400, 401, 403, 429)},
            examples=[OpenApiExample(f"A page of {many}", value=example)],
        ),
        "retrieve": dict(
            summary=f"Read one {one}",
            parameters=[FIELDS_PARAMETER],
            responses={200: d.serializer, **problem_responses(400, 401, 403, 404, 429)},
            examples=[OpenApiExample(_title(f"{a} {one}"), value=example)],
        ),
    }
    if d.create is not None:
        operations["create"] = dict(
            summary=f"Create {a} {one}",
            parameters=[IDEMPOTENCY_PARAMETER],
            request=d.create_serializer or d.serializer,
            responses={
                201: d.serializer,
                **problem_responses(400, 401, 403, 409, 415, 422, 429),
            },
            examples=[
                OpenApiExample(f"A new {one}", value=dict(d.create_example), request_only=True),
                OpenApiExample(f"The created {one}", value=example, response_only=True),
            ],
        )
    if d.change is not None:
        summary, patch = d.change_example
        changed = {**example, **patch}
        operations["partial_update"] = dict(
            summary=f"Change {a} {one}",
            description=d.change_description,
            parameters=[IF_MATCH_PARAMETER],
            request=body,
            responses={
                200: d.serializer,
                **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
            },
            examples=[
                OpenApiExample(summary or "A change", value=dict(patch), request_only=True),
                OpenApiExample(f"The changed {one}", value=changed, response_only=True),
            ],
        )
        replaced = {**dict(d.create_example), **patch}
    if d.change is not None and d.replace:
        operations["update"] = dict(
            summary=f"Replace {a} {one}",
            description=d.replace_description,
            parameters=[IF_MATCH_PARAMETER],
            request=body,
            responses={
                200: d.serializer,
                **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
            },
            examples=[
                OpenApiExample(f"A whole {one}", value=replaced, request_only=True),
                OpenApiExample(f"The replaced {one}", value=changed, response_only=True),
            ],
        )
    if d.remove is not None:
        codes = (
            (400, 401, 403, 404, 409, 412, 429) if d.conflicts else (400, 401, 403, 404, 412, 429)
        )
        instance = f"/api/v1/{d.prefix}/{example.get('id', 1)}/"
        operations["destroy"] = dict(
            summary=f"Delete {a} {one}",
            description=d.delete_description or None,
            parameters=[IF_MATCH_PARAMETER],
            request=None,
            responses={204: OpenApiResponse(description="Deleted"), **problem_responses(*codes)},
            examples=[problem_example("Still in use", 409, d.conflict_example, instance)]
            if d.conflict_example
            else [],
        )
    return operations


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
        },
        "conflict_errors": d.conflicts,
    }
    name = "".join(part.title() for part in d.prefix.split("-"))
    viewset = type(f"{name}ViewSet", (DeclaredViewSet,), attributes)
    return extend_schema_view(**_schema(d))(viewset)


def declare(d: Declaration) -> Resource:
    """Make the resource's viewset and register it (kluis/api/registry.py)."""
    if d.write is None and (d.create or d.change or d.remove):
        raise ValueError(f"{d.prefix}: services that write need a write permission")
    unknown = set(d.columns) - set(d.fields)
    if unknown:
        raise ValueError(f"{d.prefix}: columns of fields the serializer lacks: {sorted(unknown)}")
    if d.represent is None and set(d.fields) - set(d.columns):
        raise ValueError(f"{d.prefix}: fields without a column need `represent`")
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
    return register(
        d.prefix,
        viewset_for(d),
        name=d.prefix,
        collection=collection,
        item_name=d.singular.replace(" ", "-"),
        lookup=d.lookup,
        item=item,
        declaration=d,
    )
