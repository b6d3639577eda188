"""`/api/v1/custom-fields/`: the company's custom field definitions. Read with scope
employees:read; define, change and delete with employees:write (`custom_fields.define_/
update_/delete_custom_field`). The values live on each employee, under `custom_fields` in
/api/v1/employees/; deleting a definition removes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.api.exceptions import PROBLEM_JSON
from kluis.api.filters import StrictFilterBackend, StrictOrderingFilter
from kluis.api.idempotency import idempotent
from kluis.api.schema import problem_responses
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    problem_example,
)
from kluis.api.views import RowViewSet
from kluis.people.models import CustomFieldDefinition
from kluis.people.services.custom_fields import (
    define_custom_field,
    delete_custom_field,
    update_custom_field,
)


class CustomFieldSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    key = serializers.CharField(
        max_length=50, help_text="Lowercase letters, digits and _; the key in custom_fields"
    )
    label = serializers.CharField(max_length=100)  # type: ignore[assignment]
    field_type = serializers.ChoiceField(choices=CustomFieldDefinition.FieldType.choices)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        help_text="The allowed values of a choice field",
    )
    required = serializers.BooleanField(required=False, default=False)  # type: ignore[assignment]
    position = serializers.IntegerField(read_only=True)
    is_active = serializers.BooleanField(read_only=True)


class CustomFieldChangeSerializer(CustomFieldSerializer):
    """The body of a PATCH or PUT: that of a POST (`key` and `field_type` as they are), plus
    `position` and `is_active`."""

    position = serializers.IntegerField(
        required=False, min_value=0, help_text="Place in forms and lists; kept when left out"
    )
    is_active = serializers.BooleanField(
        required=False,
        default=True,
        help_text="false: hidden from forms, imports, exports and validation; values kept",
    )


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
CHOICE_IN_USE = {
    "type": "urn:kluis:problem:validation-error",
    "title": "Validation error",
    "status": 422,
    "detail": "Some values are not valid.",
    "instance": "/api/v1/custom-fields/3/",
    "errors": [
        {
            "field": "choices",
            "message": "L is still the value of 4 employees; give them another value first.",
        }
    ],
}


@extend_schema_view(
    list=extend_schema(
        summary="List custom field definitions",
        parameters=[FIELDS_PARAMETER],
        responses={200: CustomFieldSerializer(many=True), **problem_responses(400, 401, 403, 429)},
        examples=[OpenApiExample("A page of custom fields", value=EXAMPLE)],
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
    partial_update=extend_schema(
        summary="Change a custom field definition",
        description="Send only the fields to change. `key` and `field_type` cannot change "
        "(422); a choice that employees still hold cannot be removed (422 on choices).",
        parameters=[IF_MATCH_PARAMETER],
        request=CustomFieldChangeSerializer,
        responses={
            200: CustomFieldSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Add a choice", value={"choices": ["S", "M", "L", "XL"]}, request_only=True
            ),
            OpenApiExample(
                "The changed field",
                value={**EXAMPLE, "choices": ["S", "M", "L", "XL"]},
                response_only=True,
            ),
            OpenApiExample(
                "A choice still in use",
                value=CHOICE_IN_USE,
                response_only=True,
                status_codes=["422"],
                media_type=PROBLEM_JSON,
            ),
        ],
    ),
    update=extend_schema(
        summary="Replace a custom field definition",
        description="The body of a POST (with the same `key` and `field_type`), plus "
        "`position` (kept when left out) and `is_active` (true when left out).",
        parameters=[IF_MATCH_PARAMETER],
        request=CustomFieldChangeSerializer,
        responses={
            200: CustomFieldSerializer,
            **problem_responses(400, 401, 403, 404, 412, 415, 422, 429),
        },
        examples=[
            OpenApiExample(
                "Relabel and require",
                value={**CREATE_EXAMPLE, "label": "T-shirt size", "required": True},
                request_only=True,
            ),
            OpenApiExample(
                "The replaced field",
                value={**EXAMPLE, "label": "T-shirt size", "required": True},
                response_only=True,
            ),
        ],
    ),
    destroy=extend_schema(
        summary="Delete a custom field definition",
        description="Also removes its value from every employee (each gets a new version, "
        "the old value stays in their history). To keep the values, PATCH "
        '`{"is_active": false}` instead.',
        parameters=[IF_MATCH_PARAMETER],
        request=None,
        responses={
            204: OpenApiResponse(description="Deleted, with its values"),
            **problem_responses(400, 401, 403, 404, 412, 429),
        },
        examples=[
            problem_example(
                "Changed since you read it",
                412,
                "The object was changed since you read it; fetch it again and retry.",
                "/api/v1/custom-fields/3/",
            )
        ],
    ),
)
class CustomFieldViewSet(RowViewSet):
    columns: ClassVar[dict[str, str]] = {name: name for name in SELECTABLE}
    selectable = SELECTABLE
    object_url_kwarg = "custom_field_pk"
    not_found = "No such custom field"
    represent = staticmethod(represent)  # type: ignore[assignment]
    serializer_class = CustomFieldSerializer
    filterset_class = CustomFieldFilter
    filter_backends = [StrictFilterBackend, StrictOrderingFilter]
    ordering_fields: ClassVar[list[str]] = ["id", "key", "position"]
    ordering = ["id"]
    required_permissions: ClassVar[dict[str, str]] = {
        "GET": "people.view",
        "POST": "people.edit",
        "PATCH": "people.edit",
        "PUT": "people.edit",
        "DELETE": "people.edit",
    }
    query_parameters: ClassVar[dict[str, set[str]]] = {
        "list": {"cursor", "page_size", "ordering", "fields", "field_type", "is_active"},
        "retrieve": {"fields"},
        "create": set(),
        "partial_update": set(),
        "update": set(),
        "destroy": set(),
    }

    def get_serializer_class(self) -> type[CustomFieldSerializer]:
        if self.action in {"update", "partial_update"}:
            return CustomFieldChangeSerializer
        return CustomFieldSerializer

    def get_queryset(self) -> QuerySet[CustomFieldDefinition]:
        if getattr(self, "swagger_fake_view", False):
            return CustomFieldDefinition.objects.none()
        return CustomFieldDefinition.objects.for_actor(self.actor)

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

    def change(
        self,
        row: CustomFieldDefinition,
        data: dict[str, Any],
        precondition: Callable[[CustomFieldDefinition], None],
    ) -> CustomFieldDefinition:
        return update_custom_field(self.actor, row, data, precondition=precondition)

    def remove(
        self, row: CustomFieldDefinition, precondition: Callable[[CustomFieldDefinition], None]
    ) -> None:
        delete_custom_field(self.actor, row, precondition=precondition)
