"""`/api/v1/custom-fields/`: the company's custom field definitions. Read with scope
employees:read, define with employees:write (`organisation.define_custom_field`). The
values live on each employee, under `custom_fields` in /api/v1/employees/."""

from __future__ import annotations

from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.integrations.rest.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.integrations.rest.idempotency import idempotent
from kluis.integrations.rest.schema import problem_responses
from kluis.integrations.rest.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
)
from kluis.integrations.rest.views import RowViewSet
from kluis.people.models import CustomFieldDefinition
from kluis.people.organisation import define_custom_field


class CustomFieldSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(
        max_length=50, help_text="Lowercase letters, digits and _; the key in custom_fields"
    )
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]
    field_type = serializers.ChoiceField(choices=CustomFieldDefinition.FieldType.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="The allowed values of a choice field",
    )
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    position = serializers.IntegerField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(set(data) - {n for n, f in self.fields.items() if not f.read_only})
            if unknown:
                raise serializers.ValidationError(
                    {key: ["This field cannot be set here."] for key in unknown}
                )
        return super().to_internal_value(data)


SELECTABLE = set(CustomFieldSerializer().fields)


def represent(definition: CustomFieldDefinition) -> dict[str, Any]:
    return {
        "id": definition.pk,
        "key": definition.key,
        "label": definition.label,
        "field_type": definition.field_type,
        "choices": list(definition.choices or []),
        "required": definition.required,
        "position": definition.position,
        "is_active": definition.is_active,
    }


class CustomFieldFilter(django_filters.FilterSet):
    field_type = django_filters.ChoiceFilter(choices=CustomFieldDefinition.FieldType.choices)
    is_active = django_filters.BooleanFilter()

    class Meta:
        model = CustomFieldDefinition
        fields: ClassVar[list[str]] = []


EXAMPLE = {
    "id": 3,
    "key": "shirt_size",
    "label": "Shirt size",
    "field_type": "choice",
    "choices": ["S", "M", "L"],
    "required": False,
    "position": 2,
    "is_active": True,
}
CREATE_EXAMPLE = {
    "key": "shirt_size",
    "label": "Shirt size",
    "field_type": "choice",
    "choices": ["S", "M", "L"],
}


@extend_schema_view(
    list=extend_schema(
        summary="List custom field definitions",
        parameters=[FIELDS_PARAMETER],
        responses={200: CustomFieldSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of custom fields", value=[EXAMPLE])],
    ),
    retrieve=extend_schema(
        summary="Read one custom field definition",
        parameters=[FIELDS_PARAMETER],
        responses={200: CustomFieldSerializer, **problem_responses(400, 401, 403, 404, 429)},
        examples=[OpenApiExample("A custom field", value=EXAMPLE)],
    ),
    create=extend_schema(
        summary="Define a custom field",
        parameters=[IDEMPOTENCY_PARAMETER],
        request=CustomFieldSerializer,
        responses={
            201: CustomFieldSerializer,
            **problem_responses(400, 401, 403, 409, 415, 422, 429),
        },
        examples=[
            OpenApiExample("A choice field", value=CREATE_EXAMPLE, request_only=True),
            OpenApiExample("The defined field", value=EXAMPLE, response_only=True),
        ],
    ),
)
class CustomFieldViewSet(RowViewSet):
    selectable = SELECTABLE
    object_url_kwarg = "custom_field_pk"
    not_found = "No such custom field"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = CustomFieldSerializer
    filterset_class = CustomFieldFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "key", "position"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {"GET": "people.view", "POST": "people.edit"}
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "field_type", "is_active"},
        "retrieve": {"fields"},
        "create": set(),
    }

    def get_queryset(self) -> QuerySet[CustomFieldDefinition]:
        if getattr(self, "swagger_fake_view", False):
            return CustomFieldDefinition.objects.none()
        return CustomFieldDefinition.objects.filter(tenant=self.actor.tenant)

    @idempotent
    def create(self, request: Request) -> Response:
        serializer = CustomFieldSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tenant = self.actor.tenant
        assert tenant is not None
        definition = define_custom_field(
            self.actor,
            tenant,
            key=data["key"],
            label=data["label"],
            field_type=data["field_type"],
            choices=data.get("choices"),
            required=data.get("required", False),
        )
        response = self.one(definition, status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/custom-fields/{definition.pk}/"
        return response
