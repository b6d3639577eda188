"""Every API error as RFC 9457 `application/problem+json`.

400: the request itself is malformed (bad JSON, unknown or invalid query parameters, bad
headers); 422: a well-formed body whose values are invalid, with field-level `errors`
(dotted names for nested fields: `employment.start_date`). The rest map one to one:
401 credential, 403 permission, 404 missing or another company's, 405, 406, 409 conflict
with the object's state (idempotency key reused, still in use, already in force), 412 stale
version, 415 not JSON, 429 rate limit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response

from kluis.access.holds import HeldForApproval

PROBLEM_JSON = "application/problem+json"
TYPE_BASE = "urn:kluis:problem:"


class BadRequest(exceptions.APIException):
    """A 400 naming what is malformed in `errors` (a query parameter, a header, the path)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The request is not valid."
    default_code = "bad_request"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__()
        self.errors = errors


class QueryParameterError(BadRequest):
    default_detail = "The query parameters are not valid."
    default_code = "invalid_query"


class HeaderError(BadRequest):
    default_detail = "A request header is not valid."
    default_code = "invalid_header"


class BodyError(BadRequest):
    default_detail = "The request body is not valid."
    default_code = "invalid_body"


class PathError(BadRequest):
    default_detail = "The path is not valid."
    default_code = "invalid_path"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with an earlier one."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The object was changed since you read it; fetch it again and retry."
    default_code = "stale_version"


class UnprocessableContent(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = "Some values are not valid."
    default_code = "validation_error"

    def __init__(self, errors: list[dict[str, str | None]]) -> None:
        super().__init__()
        self.errors = errors


# status -> (type slug, title)
PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("bad-request", "Bad request"),
    401: ("unauthenticated", "Authentication required"),
    403: ("forbidden", "Permission denied"),
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    409: ("conflict", "Conflict"),
    412: ("precondition-failed", "Precondition failed"),
    415: ("unsupported-media-type", "Unsupported media type"),
    422: ("validation-error", "Validation error"),
    429: ("rate-limited", "Too many requests"),
    500: ("server-error", "Server error"),
}


def problem(
    status_code: int,
    detail: str,
    *,
    instance: str = "",
    errors: list[dict[str, str | None]] | None = None,
) -> dict[str, Any]:
    slug, title = PROBLEMS.get(status_code, ("error", "Error"))
    body: dict[str, Any] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status_code,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def field_errors(detail: Any, prefix: str = "") -> list[dict[str, str | None]]:
    """Flatten DRF's nested error structure or a Django message_dict to [{field, message}]."""
    out: list[dict[str, str | None]] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = str(key)
            if name in ("non_field_errors", "__all__"):
                name = ""
            out.extend(
                field_errors(value, f"{prefix}.{name}" if prefix and name else prefix or name)
            )
    elif isinstance(detail, list):
        for item in detail:
            out.extend(field_errors(item, prefix))
    else:
        out.append({"field": prefix or None, "message": str(detail)})
    return out


def _django_validation_errors(exc: DjangoValidationError) -> list[dict[str, str | None]]:
    if hasattr(exc, "error_dict"):
        return field_errors(exc.message_dict)
    return [{"field": None, "message": m} for m in exc.messages]


# Domain errors meaning "changed by someone else since it was read" (registered by the
# apps that raise them: this package knows no domain app), answered 412.
_STALE_ERRORS: list[type[Exception]] = []


def answer_as_stale(error: type[Exception]) -> None:
    """Answer `error`, raised by a service, as 412 Precondition Failed."""
    if error not in _STALE_ERRORS:
        _STALE_ERRORS.append(error)


def held_response(exc: HeldForApproval) -> Response:
    """Not an error: the action waits for a second person (the two-person rule)."""
    return Response(
        {
            "status": "pending_approval",
            "detail": "This action needs a second person's approval; it is waiting.",
            "approval": {"id": exc.request_id, "action": exc.action, "url": exc.api_path},
        },
        status=202,
        headers={"Location": exc.api_path},
    )


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's EXCEPTION_HANDLER: every known error becomes a problem document."""
    request = context.get("request")
    instance = request.get_full_path() if request is not None else ""
    headers: dict[str, str] = {}
    errors: list[dict[str, str | None]] | None = None
    if isinstance(exc, HeldForApproval):
        return held_response(exc)
    if isinstance(exc, DjangoValidationError):
        code, detail = 422, "Some values are not valid."
        errors = _django_validation_errors(exc)
    elif isinstance(exc, tuple(_STALE_ERRORS)):
        # Its message is the UI's (who changed it, in the server's time, "reload the page").
        code, detail = 412, str(PreconditionFailed.default_detail)
    elif isinstance(exc, Http404):
        code, detail = 404, "Not found."
    elif isinstance(exc, DjangoPermissionDenied):
        code, detail = 403, str(exc) or "You do not have permission to do this."
    elif isinstance(exc, BadRequest):
        code, detail = 400, str(exc.detail)
        errors = field_errors(exc.errors)
    elif isinstance(exc, UnprocessableContent):
        code, detail, errors = 422, str(exc.detail), exc.errors
    elif isinstance(exc, exceptions.ValidationError):
        code, detail = 422, "Some values are not valid."
        errors = field_errors(exc.detail)
    elif isinstance(exc, exceptions.NotFound):
        code, detail = 404, "Not found."
    elif isinstance(exc, exceptions.APIException):
        code = exc.status_code
        detail = (
            str(exc.detail) if not isinstance(exc.detail, dict | list) else str(exc.default_detail)
        )
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = 401
            request = context.get("request")
            scheme = (
                request.META.get("HTTP_AUTHORIZATION", "").partition(" ")[0].lower()
                if request is not None
                else ""
            )
            headers["WWW-Authenticate"] = (
                'Basic realm="api"' if scheme == "basic" else 'Bearer realm="api"'
            )
        wait = getattr(exc, "wait", None)
        if isinstance(exc, exceptions.Throttled) and wait is not None:
            headers["Retry-After"] = str(max(1, int(wait + 0.999)))
            detail = "Too many requests; retry after the number of seconds in Retry-After."
    else:
        return None
    return Response(
        problem(code, str(detail), instance=instance, errors=errors),
        status=code,
        headers=headers,
        content_type=PROBLEM_JSON,
    )


def problem_response(request: HttpRequest, code: int, detail: str) -> HttpResponse:
    """A problem document answered outside DRF (error handlers, the OAuth endpoints)."""
    return JsonResponse(
        problem(code, detail, instance=request.get_full_path()),
        status=code,
        content_type=PROBLEM_JSON,
    )


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler400 (a Host not in ALLOWED_HOSTS, another suspicious request): problem+json
    under /api/, the normal page elsewhere. The detail never echoes what was sent."""
    if request.path.startswith("/api/"):
        return problem_response(request, 400, str(BadRequest.default_detail))
    return defaults.bad_request(request, exception)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: problem+json under /api/, the normal page elsewhere."""
    if request.path.startswith("/api/"):
        return problem_response(request, 404, "Not found.")
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(request, 500, "Something went wrong on our side.")
    return defaults.server_error(request)
