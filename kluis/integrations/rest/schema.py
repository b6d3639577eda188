"""OpenAPI pieces every API resource shares: the bearer security scheme and the problem
document for error responses."""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

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
