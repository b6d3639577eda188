"""What a resource declares (decision 0008): the `Declaration` an app writes for each of
its resources, its actions on one object and its history; `kluis.api.declared.declare`
makes the viewset, the OpenAPI operations and the registry entry from it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import django_filters
from django.db.models import Model, QuerySet
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.access.authorization import grants_of
from kluis.access.permissions import Scope
from kluis.api.views import Sealed

Precondition = Callable[[Any], None]


@dataclass(frozen=True)
class ItemAction:
    """An action on one object: `POST /api/v1/<prefix>/<id>/<name>/` with a body checked
    by `body`, needing `permission` (instead of the resource's write permission), done by
    `service(actor, row, data, expected_version=)` -> the row as changed (answered as a
    read of it). A versioned resource's action honours If-Match or a `version` in the
    body (412 when stale), as a change does."""

    name: str  # "approve": the last segment of the path
    service: Callable[..., Any]
    body: type[serializers.Serializer]
    permission: str
    summary: str  # "Approve a leave request"
    description: str = ""
    example: Mapping[str, Any] = field(default_factory=dict)  # a request body
    # The answer's example where it differs from the resource's (e.g. after approving).
    result_example: Mapping[str, Any] = field(default_factory=dict)
    conflict_example: str = ""  # a 409's detail, when the object's state may refuse it
    # A sensitive action: the person confirms a recent factor first (403 step_up_required,
    # kluis.api.views.check_step_up), as the web asks for it.
    step_up: bool = False


@dataclass(frozen=True)
class History:
    """An object's history, read-only: `GET /api/v1/<prefix>/<id>/history/`, every step
    of the object the reader reaches, oldest first, in one page (`rows(row)`: a queryset
    of its steps; `represent(actor, row, step)`: a step as this reader may see it)."""

    rows: Callable[[Any], QuerySet[Any]]
    serializer: type[serializers.Serializer]
    represent: Callable[[Actor, Any, Any], dict[str, Any]]
    example: Mapping[str, Any] = field(default_factory=dict)
    summary: str = ""
    description: str = ""


def scope_of(actor: Actor, permission: str) -> str | None:
    """How far the actor holds `permission` (a Scope), None when not at all."""
    if actor.is_system:
        return Scope.COMPANY
    return grants_of(actor).get(permission)


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
    # A 409's detail when the object's state may refuse a change (a decided request).
    change_conflict_example: str = ""
    # Overrides: an operation's summary ("create": "Define a custom field"), more
    # examples per operation, and the name of the id in the item's path.
    summaries: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    examples: Mapping[str, tuple[OpenApiExample, ...]] = field(default_factory=dict)
    lookup_name: str = ""
    # The collection's name in prose where it is not the prefix's ("contracts" for
    # employments).
    plural: str = ""
    # Fields a reader sees only with a permission besides `read` (field -> permission):
    # without it the field is absent from every response, not null. A page written by the
    # database shows them when the permission reaches the whole company; `represent_rows`
    # decides row by row otherwise.
    revealed_by: Mapping[str, str] = field(default_factory=dict)
    # Fields whose showing follows a rule of the resource's own (field -> rule(actor)):
    # True when this reader sees the field on every row, False on none, None when it
    # depends on the row (`represent_rows` decides). A page the reader sees all or none
    # of is written by the database.
    revealed_when: Mapping[str, Callable[[Actor], bool | None]] = field(default_factory=dict)
    # How a page of rows is shown where what a reader sees of each row depends on the row
    # (a member sees more of their own record than of their reports'):
    # represent_rows(actor, rows, fields asked for or None) -> their JSON objects, the
    # reading audited once. Used where the database does not write the page.
    represent_rows: Callable[[Actor, list[Any], set[str] | None], list[dict[str, Any]]] | None = (
        None
    )
    # The model has a `version` column: the ETag is W/"<id>-<version>", and a change
    # takes If-Match or a `version` in the body; `change(actor, row, data,
    # expected_version=)` compares it under its lock (412 when stale).
    versioned: bool = False
    # A `?fields=` value for the OpenAPI document (by default "id,name").
    fields_example: str = ""
    # Actions on one object (`POST <prefix>/<id>/<name>/`) and its read-only history
    # (`GET <prefix>/<id>/history/`), registered as routes beside the resource's two paths.
    actions: tuple[ItemAction, ...] = ()
    history: History | None = None

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

    def hidden_from(self, actor: Actor) -> set[str]:
        """The fields this reader does not see of every row (the permission revealing them
        is not theirs for the whole company)."""
        return {
            name
            for name, needed in self.revealed_by.items()
            if scope_of(actor, needed) != Scope.COMPANY
        }
