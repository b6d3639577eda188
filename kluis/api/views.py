"""The base of every API view: key authentication, JSON only, throttles that run before
authentication, strict query parameters and the RateLimit-* headers; for the resources
shown by one `represent(row)`, list/read/change/delete written once (RowViewSet)."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Hashable
from typing import Any, ClassVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.utils import timezone
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.viewsets import GenericViewSet

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.api.compiled import Slots, plan_for, run
from kluis.api.exceptions import BodyError, Conflict, QueryParameterError
from kluis.api.filters import StrictFilterBackend
from kluis.api.pagination import KluisCursorPagination
from kluis.api.paths import check_path_ids
from kluis.api.principal import ApiPrincipal, authenticate_header_for
from kluis.api.renderers import KluisJSONRenderer
from kluis.api.rowjson import RowJson, row_json, text_rows, with_values
from kluis.api.sparse import content_etag, if_match, pick, requested_fields
from kluis.api.throttling import ApiIpThrottle, ApiKeyThrottle, count_all, rate_limit_headers
from kluis.operations.logging import bind_actor
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import narrow_to, widen


@dataclasses.dataclass(frozen=True)
class Sealed:
    """A field stored sealed: its token column, and how a company's token (tenant id,
    token) opens to the field's JSON value. With `expression`, the token is not a column
    of the row but computed by the database for each row as of today
    (`expression(company, today)`, e.g. the wage in force of an employee), under the name
    `column`."""

    column: str
    open: Callable[[int, Any], Any]
    expression: Callable[[Any, Any], Any] | None = None


class HasPermissionForMethod(permissions.BasePermission):
    """The view's `required_permissions[method]` (deny when a method names none)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        principal = request.user
        if not isinstance(principal, ApiPrincipal):
            return False
        method = request.method or ""
        # HEAD is GET without the body: the same permission. OPTIONS only names the
        # methods of the path (as the public schema does): any credential may ask.
        if method == "HEAD":
            method = "GET"
        if method == "OPTIONS":
            return True
        needed = getattr(view, "required_permissions", {}).get(method)
        if needed is None:
            return False
        return can(principal.actor, needed)


# Checks that the person behind a request confirmed a factor recently enough for a
# sensitive action (granting roles, approving a held action), registered by the app that
# keeps sign-ins (kluis.identity): fn(request) -> the detail of a 403 `step_up_required`,
# or None. The pipeline knows no domain app, so it is told.
_STEP_UP_CHECKS: list[Callable[[Request], str | None]] = []


def require_recent_factor(check: Callable[[Request], str | None]) -> None:
    if check not in _STEP_UP_CHECKS:
        _STEP_UP_CHECKS.append(check)


def check_step_up(request: Request) -> None:
    """403 `step_up_required` when the request's person must confirm a factor first."""
    for check in _STEP_UP_CHECKS:
        detail = check(request)
        if detail:
            raise exceptions.PermissionDenied(detail, code="step_up_required")


@functools.cache
def _made_once(classes: tuple[type, ...]) -> tuple[Any, ...]:
    """Parsers, authenticators, permissions and renderers hold nothing of a request: one
    instance of each per process, not one per request."""
    return tuple(made() for made in classes)


# Accept header -> (renderer, media type) as DRF's negotiation chose it for that header.
_negotiated: dict[tuple[tuple[type, ...], str], tuple[Any, str]] = {}
MAX_NEGOTIATED = 256


# (viewset class, field names) -> its RowJson expression (None: not written by the database).
_row_jsons: dict[tuple[type, tuple[str, ...]], RowJson | None] = {}
MAX_ROW_JSONS = 1024


@functools.cache
def _field_names(serializer_class: type[serializers.Serializer]) -> tuple[str, ...]:
    return tuple(serializer_class().fields)


def field_names(view: Any) -> tuple[str, ...]:
    """The fields of a view's rows, in the order its serializer declares them."""
    return _field_names(view.get_serializer_class())


class ApiViewSet(GenericViewSet):
    permission_classes = [permissions.IsAuthenticated, HasPermissionForMethod]
    throttle_classes = [ApiIpThrottle, ApiKeyThrottle]
    parser_classes = [JSONParser]
    renderer_classes = [KluisJSONRenderer]
    pagination_class = KluisCursorPagination
    required_permissions: ClassVar[dict[str, str]] = {}
    # Query parameters each action accepts; anything else is a 400.
    query_parameters: ClassVar[dict[str, set[str]]] = {}
    # Domain errors meaning "the object's state refuses this" (still in use, already in
    # force): answered 409 with their message.
    conflict_errors: ClassVar[tuple[type[Exception], ...]] = ()

    # The column behind each field shown as stored: a list page whose fields all have one
    # is written by the database, row by row (`text_page`, kluis/api/rowjson.py).
    columns: ClassVar[dict[str, str]] = {}
    # Fields stored sealed, opened in Python after the database wrote the rest of the row;
    # such a page also fetches the `opening_columns` (whose values they are, for the audit).
    sealed_columns: ClassVar[dict[str, Sealed]] = {}
    opening_columns: ClassVar[tuple[str, ...]] = ()
    ordering: ClassVar[list[str]] = ["id"]
    ordering_fields: ClassVar[list[str]] = ["id"]

    @property
    def actor(self) -> Actor:
        standing_in = self.__dict__.get("_actor_stand_in")
        if standing_in is not None:
            return standing_in
        principal = self.request.user
        assert isinstance(principal, ApiPrincipal)
        return principal.actor

    def _standing_in(self, rows: Callable[[], QuerySet[Any]], slots: Slots) -> QuerySet[Any]:
        """`rows` as built for a company that stands in for the client's (a slot)."""
        stand_in = Tenant(pk=slots("tenant", "int"))
        self.__dict__["_actor_stand_in"] = dataclasses.replace(self.actor, tenant=stand_in)
        self.__dict__["_slots"] = slots
        try:
            return rows()
        finally:
            del self.__dict__["_actor_stand_in"]
            del self.__dict__["_slots"]

    def variable(self, name: str, kind: str) -> Any:
        """A value of this request that a page's rows depend on (given to `page` as
        `variables`), for use while `rows` is built: a slot of the compiled query (kind as
        in kluis/api/compiled.py), or the value itself when the query is built as it is."""
        slots = self.__dict__.get("_slots")
        if slots is not None:
            return slots(name, kind)
        return self.__dict__["_variables"][name]

    def row(
        self, rows: Callable[[], QuerySet[Any]], pk: Any, not_found: str, shape: Hashable = ()
    ) -> Any:
        """One object of `rows` by its id (Http404(not_found) for anything else), its
        query compiled once per shape like a page's (kluis/api/compiled.py)."""
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            raise Http404(not_found) from None
        actor = self.actor
        tenant = actor.tenant
        plan = None
        # A member (an app's token) sees rows by who they are (their own record, their
        # reports): not a shape shared with others of the same grants, so never compiled.
        if tenant is not None and actor.membership is None:
            grants = tuple(sorted((actor._grants or {}).items()))
            key = (type(self), "row", shape, grants, actor.kind)
            plan = plan_for(
                key, lambda slots: self._standing_in(rows, slots).filter(pk=slots("pk", "int"))[:1]
            )
        if plan is not None:
            found = run(plan, {"tenant": tenant.pk, "pk": pk})  # type: ignore[union-attr]
        else:
            found = list(rows().filter(pk=pk)[:1])
        if not found:
            raise Http404(not_found)
        return found[0]

    def page(
        self,
        rows: Callable[[], QuerySet[Any]] | None = None,
        shape: Hashable = (),
        variables: dict[str, Any] | None = None,
    ) -> list[Any]:
        """One page of the list (`rows`, by default `get_queryset`): the request's
        filters, ordering and cursor, compiled once per shape of request
        (kluis/api/compiled.py) with the client's company, the filter values and the
        `variables` (read by `rows` through `variable`) as parameters. A shape that cannot
        be compiled is built and compiled every time."""
        rows = rows or self.get_queryset
        self.__dict__["_variables"] = variables or {}
        request = self.request
        paginator = self.paginator
        assert isinstance(paginator, KluisCursorPagination)
        chosen = StrictFilterBackend().chosen(request, self)
        actor = self.actor
        tenant = actor.tenant
        if tenant is not None and actor.membership is None:  # a member's rows: see `row`

            def build(slots: Slots) -> QuerySet[Any]:
                # The same rows for a company that stands in for the client's.
                return chosen.apply(self._standing_in(rows, slots), slots)

            values = {"tenant": tenant.pk, **chosen.slot_values(), **(variables or {})}
            grants = tuple(sorted((actor._grants or {}).items()))
            key = (type(self), self.action, shape, grants, actor.kind, chosen.shape)
            page = paginator.paginate_compiled(request, self, build, values, key)
            if page is not None:
                return page
        page = paginator.paginate_queryset(self.filter_queryset(rows()), request, self)
        assert page is not None
        return page

    def get_parsers(self) -> list[Any]:
        return list(_made_once(tuple(self.parser_classes)))

    def get_authenticators(self) -> list[Any]:
        return list(_made_once(tuple(self.authentication_classes)))

    def get_permissions(self) -> list[Any]:
        return list(_made_once(tuple(self.permission_classes)))

    def check_throttles(self, request: Request) -> None:
        """Every limit counted at once (one lock of the shared counters), then decided.
        (Throttles hold the request's outcome: made per request, unlike the classes above.)"""
        throttles = self.get_throttles()
        count_all(request, throttles)
        waits = [
            throttle.wait() for throttle in throttles if not throttle.allow_request(request, self)
        ]
        if waits:
            self.throttled(request, max((w for w in waits if w is not None), default=1.0))

    def get_renderers(self) -> list[Any]:
        return list(_made_once(tuple(self.renderer_classes)))

    def perform_content_negotiation(self, request: Request, force: bool = False) -> Any:
        """DRF's negotiation, its answer kept per Accept header (it depends on nothing
        else when the URL names no format)."""
        if force or self.format_kwarg or api_settings.URL_FORMAT_OVERRIDE in request.query_params:
            return super().perform_content_negotiation(request, force)
        key = (tuple(self.renderer_classes), request.META.get("HTTP_ACCEPT", ""))
        chosen = _negotiated.get(key)
        if chosen is None:
            chosen = super().perform_content_negotiation(request, force)
            if len(_negotiated) < MAX_NEGOTIATED:
                _negotiated[key] = chosen
        return chosen

    def text_fields(self, only: set[str] | None) -> list[str] | None:
        """The fields of a page the database writes for this reader: those asked for; None
        where such a page cannot show this reader what they may see (`shown_rows`
        answers)."""
        return [name for name in field_names(self) if only is None or name in only]

    def text_page(self, only: set[str] | None) -> HttpResponse | None:
        """The page with each row's JSON written by the database: the `text_fields` that
        are columns, then the sealed ones (their token columns, or values the database
        computes) opened and added to each row's text (their opening told to `opened`,
        once for the page); None where it cannot be (a field that is no column)."""
        if not self.columns:
            return None
        names = self.text_fields(only)
        if names is None:
            return None
        # Sealed fields are opened in the order `sealed_columns` names them, after the others.
        sealed = tuple(name for name in self.sealed_columns if name in names)
        plain = tuple(name for name in names if name not in self.sealed_columns)
        ordering = (self.request.query_params.get("ordering") or self.ordering[0]).lstrip("-")
        if ordering not in self.ordering_fields or not set(plain) <= self.columns.keys():
            return None  # the paginator answers a bad ordering's 400
        expression = self._row_json(plain)
        if expression is None:
            return None
        column = self.columns.get(ordering, ordering)
        specs = [self.sealed_columns[name] for name in sealed]
        computed = tuple(spec.column for spec in specs if spec.expression is not None)
        extra: tuple[str, ...] = ()
        if sealed:
            tokens = tuple(spec.column for spec in specs if spec.expression is None)
            extra = tuple(dict.fromkeys((*tokens, *self.opening_columns)))

        def rows() -> QuerySet[Any]:
            made = None
            if computed:
                reader = self.actor  # (a stand-in's company while the query is compiled)
                today = self.variable("today", "date")
                made = {
                    spec.column: spec.expression(reader.tenant, today)
                    for spec in specs
                    if spec.expression is not None
                }
            return text_rows(self.get_queryset(), expression, column, extra, made)

        page = self.page(
            rows,
            shape=("json", plain, extra, computed),
            variables={"today": timezone.localdate()} if computed else None,
        )
        texts = [row["json"] for row in page]
        if sealed and page:
            tenant = self.actor.tenant
            assert tenant is not None  # a page of a company's rows has a company's reader
            opened = [
                {
                    name: spec.open(tenant.pk, row[spec.column])
                    for name, spec in zip(sealed, specs, strict=True)
                }
                for row in page
            ]
            self.opened(
                [{**row, **values} for row, values in zip(page, opened, strict=True)], [*sealed]
            )
            texts = [with_values(text, values) for text, values in zip(texts, opened, strict=True)]
        paginator = self.paginator
        assert isinstance(paginator, KluisCursorPagination)
        return paginator.get_text_paginated_response(texts)

    def opened(self, rows: list[dict[str, Any]], fields: list[str]) -> None:
        """Told that a page written by the database opened the sealed `fields` of `rows`
        (each with the `opening_columns` and the opened values); a resource whose reads
        are audited records them here, once per request."""

    def _row_json(self, names: tuple[str, ...]) -> RowJson | None:
        """The expression writing rows of `names`, made once per resource and field set."""
        key = (type(self), names)
        if key in _row_jsons:
            return _row_jsons[key]
        # The model without building this request's queryset (only a page's build does).
        filterset = getattr(self, "filterset_class", None)
        model = filterset._meta.model if filterset is not None else self.get_queryset().model
        expression = row_json(model, names, self.columns)
        if len(_row_jsons) < MAX_ROW_JSONS:  # `?fields=` subsets: bounded, but keep it small
            _row_jsons[key] = expression
        return expression

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.format_kwarg = self.get_format_suffix(**kwargs)
        negotiated = self.perform_content_negotiation(request)
        request.accepted_renderer, request.accepted_media_type = negotiated
        version, scheme = self.determine_version(request, *args, **kwargs)
        request.version, request.versioning_scheme = version, scheme
        if getattr(self, (request.method or "").lower(), None) is None:
            raise exceptions.MethodNotAllowed(request.method or "")
        self.check_throttles(request)  # before the key is looked up: guessing is limited too
        self.perform_authentication(request)
        principal = request.user
        if isinstance(principal, ApiPrincipal):
            bind_actor(principal.actor)  # the company and client id on every log line
        # From here on the database itself only shows the client's company (PostgreSQL);
        # an API key's or Basic's lookup has done so already, in the same statement.
        if (
            isinstance(principal, ApiPrincipal)
            and principal.actor.tenant is not None
            and not principal.narrowed
        ):
            narrow_to(principal.actor.tenant.pk)
        self.check_permissions(request)
        check_path_ids(kwargs)
        self.check_query_parameters(request)
        if request.method in ("POST", "PUT", "PATCH") and not isinstance(request.data, dict):
            # JSON, but `null`, `[]` or `"x"` where an object belongs: malformed, not a
            # set of invalid field values.
            raise BodyError({"body": ["Send a JSON object."]})

    def options(self, request: Any, *args: Any, **kwargs: Any) -> Response:
        """204 with `Allow`; what each method takes is in the schema (/api/v1/schema/)."""
        return Response(status=204, headers={"Allow": ", ".join(self.allowed_methods)})

    def get_authenticate_header(self, request: Request) -> str:
        return authenticate_header_for(request)

    def handle_exception(self, exc: Exception) -> Response:
        if self.conflict_errors and isinstance(exc, self.conflict_errors):
            exc = Conflict(str(exc))
        return super().handle_exception(exc)

    def check_query_parameters(self, request: Request) -> None:
        allowed = self.query_parameters.get(self.action or "", set())
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise QueryParameterError({key: ["Unknown query parameter."] for key in unknown})
        # `?team=` is not "any team": an empty value is refused, leave the parameter out.
        empty = sorted(k for k, values in request.query_params.lists() if "" in values)
        if empty:
            raise QueryParameterError({key: ["Give a value or leave this out."] for key in empty})
        # `?status=active&status=left` is not "either": one value per parameter.
        repeated = sorted(k for k, values in request.query_params.lists() if len(values) > 1)
        if repeated:
            raise QueryParameterError({key: ["Give this parameter once."] for key in repeated})

    def finalize_response(
        self, request: Request, response: Response, *args: Any, **kwargs: Any
    ) -> Response:
        # Always: a key lookup narrows before its digest is compared, so a refused key
        # leaves the connection narrowed as well.
        widen()
        response = super().finalize_response(request, response, *args, **kwargs)
        for header, value in rate_limit_headers(request).items():
            response[header] = value
        return response


class RowViewSet(ApiViewSet):
    """A resource shown by one `represent(row)` function: list, retrieve and the one-object
    response (with `?fields=` and an ETag) are written here once for all such resources,
    and so are PATCH, PUT and DELETE around two hooks, `change` and `remove`, that call the
    resource's services with the If-Match check as their precondition."""

    selectable: ClassVar[set[str]] = set()
    object_url_kwarg: ClassVar[str] = ""
    not_found: ClassVar[str] = "No such object"

    def represent(self, row: Any) -> dict[str, Any]:
        raise NotImplementedError

    def change(self, row: Any, data: dict[str, Any], precondition: Callable[[Any], None]) -> Any:
        """Apply the validated body of a PATCH or PUT through the service; the changed row."""
        raise NotImplementedError

    def remove(self, row: Any, precondition: Callable[[Any], None]) -> None:
        """Delete through the service."""
        raise NotImplementedError

    def etag(self, row: Any, data: dict[str, Any]) -> str:
        return content_etag(row.pk, data)

    def precondition(self) -> Callable[[Any], None]:
        """If-Match against the row as the service locked it (412 when stale)."""
        return if_match(self.request, lambda row: self.etag(row, self.represent(row)))

    def shown(self, rows: list[Any], only: set[str] | None) -> None:
        """Told the rows a response shows, with the fields asked for (None: all); a resource
        whose reads are audited records them here, once per request."""

    def one(self, row: Any, code: int = 200) -> Response:
        self.shown([row], requested_fields(self.request, self.selectable))
        data = self.represent(row)
        response = Response(
            pick(data, requested_fields(self.request, self.selectable)), status=code
        )
        response["ETag"] = self.etag(row, data)
        return response

    def get_row(self, pk: Any) -> Any:
        return self.row(self.get_queryset, pk, self.not_found)

    def list(self, request: Request) -> Response:
        only = requested_fields(request, self.selectable)
        text = self.text_page(only)
        if text is not None:
            return text  # type: ignore[return-value]
        page = self.page()
        self.shown(page, only)
        return self.get_paginated_response([pick(self.represent(row), only) for row in page])

    def retrieve(self, request: Request, **kwargs: Any) -> Response:
        return self.one(self.get_row(kwargs[self.object_url_kwarg]))

    def partial_update(self, request: Request, **kwargs: Any) -> Response:
        return self._write(request, kwargs[self.object_url_kwarg], partial=True)

    def update(self, request: Request, **kwargs: Any) -> Response:
        return self._write(request, kwargs[self.object_url_kwarg], partial=False)

    def destroy(self, request: Request, **kwargs: Any) -> Response:
        row = self.get_row(kwargs[self.object_url_kwarg])
        precondition = self.precondition()
        try:
            self.remove(row, precondition)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404(self.not_found) from None
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _write(self, request: Request, pk: Any, *, partial: bool) -> Response:
        """PATCH changes the fields sent; PUT takes a whole POST body (fields left out go
        back to their defaults). Fields that cannot be written are a 422, not ignored."""
        row = self.get_row(pk)
        precondition = self.precondition()
        serializer = self.get_serializer_class()(data=request.data, partial=partial)
        assert isinstance(serializer, serializers.Serializer)
        serializer.is_valid(raise_exception=True)  # a StrictSerializer: no unknown fields
        try:
            changed = self.change(row, dict(serializer.validated_data), precondition)
        except ObjectDoesNotExist:  # deleted by someone else in between
            raise Http404(self.not_found) from None
        return self.one(self.get_row(changed.pk))
