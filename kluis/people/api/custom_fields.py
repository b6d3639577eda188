"""`/api/v1/custom-fields/`: the company's custom field definitions. Read with scope
employees:read; define, change and delete with employees:write (`custom_fields.define_/
update_/delete_custom_field`). The values live on each employee, under `custom_fields` in
/api/v1/employees/; deleting a definition removes them. Declared once
(kluis/api/declared.py)."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.exceptions import PROBLEM_JSON
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import problem_example
from kluis.people.models import CustomFieldDefinition
from kluis.people.services.custom_fields import (
    MAX_POSITION,
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
        required=False,
        min_value=0,
        max_value=MAX_POSITION,
        help_text="Place in forms and lists; kept when left out",
    )
    is_active = serializers.BooleanField(
        required=False,
        default=True,
        help_text="false: archived, hidden from forms, imports and validation; values kept and "
        "still shown on profiles and in exports",
    )


SELECTABLE = set(CustomFieldSerializer().fields)


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


CUSTOM_FIELDS = Declaration(
    prefix="custom-fields",
    singular="custom field definition",
    model=CustomFieldDefinition,
    serializer=CustomFieldSerializer,
    change_serializer=CustomFieldChangeSerializer,
    columns={name: name for name in SELECTABLE},
    about=(
        "The company's custom field definitions; the values live on each employee, under "
        "`custom_fields`. Read with scope employees:read; define, change and delete with "
        "employees:write."
    ),
    read="people.view",
    write="people.edit",
    filters={
        "field_type": django_filters.ChoiceFilter(choices=CustomFieldDefinition.FieldType.choices),
        "is_active": django_filters.BooleanFilter(),
    },
    orderings=("id", "key", "position"),
    create=lambda actor, tenant, data: define_custom_field(actor, tenant, **data),
    change=update_custom_field,
    remove=delete_custom_field,
    events=("custom_field.created", "custom_field.updated", "custom_field.deleted"),
    example=EXAMPLE,
    create_example=CREATE_EXAMPLE,
    change_example=("Add a choice", {"choices": ["S", "M", "L", "XL"]}),
    change_description="Send only the fields to change. `key` and `field_type` cannot "
    "change (422); a choice that employees still hold cannot be removed (422 on choices).",
    replace_description="The body of a POST (with the same `key` and `field_type`), plus "
    "`position` (kept when left out) and `is_active` (true when left out).",
    delete_description="Also removes its value from every employee (each gets a new "
    "version, the old value stays in their history). To keep the values, PATCH "
    '`{"is_active": false}` instead.',
    summaries={"list": "List custom field definitions", "create": "Define a custom field"},
    examples={
        "partial_update": (
            OpenApiExample(
                "A choice still in use",
                value=CHOICE_IN_USE,
                response_only=True,
                status_codes=["422"],
                media_type=PROBLEM_JSON,
            ),
        ),
        "destroy": (
            problem_example(
                "Changed since you read it",
                412,
                "The object was changed since you read it; fetch it again and retry.",
                "/api/v1/custom-fields/3/",
            ),
        ),
    },
    lookup_name="custom_field_pk",
)
