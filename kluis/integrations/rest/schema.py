"""OpenAPI pieces every API resource shares: the bearer security scheme and the problem
document for error responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from kluis.access.permissions import API_SCOPES
from kluis.integrations.rest.exceptions import PROBLEM_JSON, PROBLEMS


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
    target_class = "kluis.integrations.rest.authentication.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "kluis_<40 characters>",
            "description": "An API key made under Integrations > API keys or with "
            "`kluis apikey create`.",
        }


class OAuthScheme(OpenApiAuthenticationExtension):
    target_class = "kluis.integrations.rest.authentication.OAuthTokenAuthentication"
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
    target_class = "kluis.integrations.rest.authentication.ApiClientBasicAuthentication"
    name = "ClientBasic"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "An API client's id and secret (`kluis apiclient create`).",
        }
