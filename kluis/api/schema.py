"""OpenAPI pieces every API resource shares: the bearer security scheme and the problem
document for error responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiFilterExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from kluis.access.permissions import API_SCOPES
from kluis.api.exceptions import PROBLEM_JSON, PROBLEMS
from kluis.api.filters import ID_FILTERS, MAX_ID
from kluis.api.idempotency import IDEMPOTENCY_KEY


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(
        allow_null=True, help_text="Dotted for nested fields, e.g. employment.start_date"
    )
    message = serializers.CharField()


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="urn:kluis:problem:<kind>")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField(help_text="The request path")
    errors = FieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]


def problem_responses(*codes: int) -> dict[tuple[int, str], OpenApiResponse]:
    return {
        (code, PROBLEM_JSON): OpenApiResponse(ProblemSerializer, description=PROBLEMS[code][1])
        for code in codes
    }


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "kluis.integrations.credentials.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "kluis_<40 characters>",
            "description": "An API key made under Integrations > API keys or with "
            "`kluis apikey create`.",
        }


class AppTokenScheme(OpenApiAuthenticationExtension):
    target_class = "kluis.integrations.credentials.AppTokenAuthentication"
    name = "AppToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "An app's access token (JWT, ES256, 15 minutes) from signing in "
            "at `/auth/app/v1/auth/login`; renewed at `/auth/app/v1/tokens/refresh`; keys "
            "at `/auth/app/jwks.json`. The member acts with their own roles in the company "
            "the token names, or another of theirs named by `X-Kluis-Company: <slug>`.",
        }


class OAuthScheme(OpenApiAuthenticationExtension):
    target_class = "kluis.integrations.credentials.OAuthTokenAuthentication"
    name = "OAuth2"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        scopes = {scope: scope for scope in API_SCOPES}
        return {
            "type": "oauth2",
            "description": "OAuth 2.0 access tokens (1 hour), sent as `Authorization: Bearer`.",
            "flows": {
                "clientCredentials": {"tokenUrl": "/oauth/token", "scopes": scopes},
                "authorizationCode": {
                    "authorizationUrl": "/oauth/authorize",
                    "tokenUrl": "/oauth/token",
                    "refreshUrl": "/oauth/token",
                    "scopes": scopes,
                },
            },
        }


class BasicScheme(OpenApiAuthenticationExtension):
    target_class = "kluis.integrations.credentials.ApiClientBasicAuthentication"
    name = "ClientBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "An API client's id and secret (`kluis apiclient create`).",
        }


class StrictOrderingFilterExtension(OpenApiFilterExtension):
    """`ordering` as the enum of what the view sorts by (and the same with `-`), so the
    schema promises exactly what the server accepts."""

    target_class = "kluis.api.filters.StrictOrderingFilter"

    def get_schema_operation_parameters(
        self, auto_schema: Any, *args: Any, **kwargs: Any
    ) -> list[dict[str, Any]]:
        fields = list(getattr(auto_schema.view, "ordering_fields", None) or [])
        return [
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "description": "Sort by one field; prefix `-` for descending.",
                "schema": {"type": "string", "enum": [*fields, *(f"-{f}" for f in fields)]},
            }
        ]


# The schema says exactly what the server accepts, so that a client (or schemathesis) that
# follows it is never refused for a reason the document does not state.
IDEMPOTENCY_KEY_PATTERN = rf"^{IDEMPOTENCY_KEY.pattern}$"


def _response_component(document: dict[str, Any], operation: dict[str, Any]) -> dict | None:
    """The component an operation returns (the items of a page for lists)."""
    content = operation.get("responses", {}).get("200", {}).get("content", {})
    node = content.get("application/json", {}).get("schema", {})
    schemas = document.get("components", {}).get("schemas", {})
    for _step in range(4):
        if "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        elif "results" in node.get("properties", {}):
            node = node["properties"]["results"].get("items", {})
        else:
            return node if "properties" in node else None
    return None


def _tighten_parameter(document: dict[str, Any], operation: dict[str, Any], p: dict) -> None:
    schema = p.setdefault("schema", {"type": "string"})
    name, where = p["name"], p["in"]
    if where == "query" and name == "fields":
        component = _response_component(document, operation) or {}
        fields = list(component.get("properties", {}))
        p["schema"] = {"type": "array", "items": {"type": "string", "enum": fields}, "minItems": 1}
        p["style"], p["explode"] = "form", False
    elif where == "query" and name == "page_size":
        from kluis.api.pagination import MAX_PAGE_SIZE

        p["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50}
    elif where == "query" and name in ID_FILTERS and schema.get("type") == "number":
        p["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    elif where == "header" and name == "Idempotency-Key":
        p["schema"] = {"type": "string", "pattern": IDEMPOTENCY_KEY_PATTERN}
    elif where == "header" and name == "If-Match":
        # At least one entity tag: a header of only commas and spaces names none (a 400).
        p["schema"] = {"type": "string", "minLength": 1, "pattern": r"[^\s,]"}
    elif where == "query" and schema.get("type") == "string" and "enum" not in schema:
        schema["minLength"] = 1  # an empty value is refused: leave the parameter out


def _close_object(node: Any) -> None:
    """Request bodies refuse unknown fields: say so (`additionalProperties: false`)."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node.setdefault("additionalProperties", False)
        if node.get("format") == "decimal" and "pattern" in node:
            # A decimal needs at least one digit before the point ("", "-" and "." are not);
            # requests may send it as a JSON number too (responses always send a string).
            node["pattern"] = node["pattern"].replace(r"^-?\d{0,", r"^-?\d{1,")
            types = node["type"] if isinstance(node.get("type"), list) else [node.get("type")]
            node["type"] = [*types, "number"] if "number" not in types else types
        for value in node.values():
            _close_object(value)
    elif isinstance(node, list):
        for value in node:
            _close_object(value)


def _example_links(path: str, operation: dict[str, Any]) -> None:
    """A page's example links point at the operation's own path."""
    from kluis.api.pagination import EXAMPLE_CURSOR

    content = operation.get("responses", {}).get("200", {}).get("content", {})
    for example in content.get("application/json", {}).get("examples", {}).values():
        value = example.get("value")
        if isinstance(value, dict) and {"next", "previous", "results"} <= set(value):
            value["next"] = f"https://kluis.example.com{path}?cursor={EXAMPLE_CURSOR}"
            value["previous"] = None


def tighten_schema(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict:
    """drf-spectacular postprocessing hook (see SPECTACULAR_SETTINGS)."""
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            for parameter in operation.get("parameters", []):
                _tighten_parameter(result, operation, parameter)
            _example_links(path, operation)
            names = {p["name"] for p in operation.get("parameters", [])}
            component = _response_component(result, operation)
            if "fields" in names and component is not None:
                # `?fields=` (and fields the credential may not read) leave fields out:
                # only `id` is always there.
                component["required"] = [f for f in component.get("required", []) if f == "id"]
    for name, component in result.get("components", {}).get("schemas", {}).items():
        if name.endswith("Request"):
            _close_object(component)
    return result
