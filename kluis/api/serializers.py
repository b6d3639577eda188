"""The base of every API request body: unknown (or read-only) fields are refused with a
field error instead of being silently dropped, so a typo cannot look like success. The
schema says the same (`additionalProperties: false`, see rest/schema.py)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

UNKNOWN_FIELD = "This field cannot be set here."


# The JSON type each kind of field takes, as the schema states it: DRF would also accept
# 0 for a name, "1" for a number or "yes" for a boolean, which the schema does not allow.
JSON_TYPES: list[tuple[type[serializers.Field], tuple[type, ...], str]] = [
    (serializers.BooleanField, (bool,), "Give true or false."),
    (serializers.IntegerField, (int,), "Give a whole number."),
    (serializers.DecimalField, (str, int, float), 'Give a decimal, e.g. "3250.00".'),
    (serializers.CharField, (str,), "Give a text."),
    (serializers.DateField, (str,), "Give a date as YYYY-MM-DD."),
    (serializers.DateTimeField, (str,), "Give a date and time in ISO 8601."),
]


def json_type_error(field: serializers.Field, value: Any) -> str | None:
    if value is None:
        return None  # null is the field's own business (allow_null)
    for kind, types, message in JSON_TYPES:
        if isinstance(field, kind):
            if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
                return message
            return None
    return None


def body_errors(serializer: serializers.Serializer, data: Any) -> dict[str, list[str]]:
    """Fields that cannot be written, and values of another JSON type than the schema
    says (DRF would take 0 for a name or "yes" for a boolean): refused, not coerced."""
    if not isinstance(data, dict):
        return {}
    writable = {name: field for name, field in serializer.fields.items() if not field.read_only}
    errors = {name: [UNKNOWN_FIELD] for name in sorted(set(data) - set(writable))}
    for name, value in data.items():
        field = writable.get(name)
        if isinstance(field, serializers.ListField) and isinstance(value, list):
            message = next((m for item in value if (m := json_type_error(field.child, item))), None)
        else:
            message = json_type_error(field, value) if field is not None else None
        if message:
            errors[name] = [message]
    return errors


class StrictSerializer(serializers.Serializer):
    """Every error of the body at once: DRF's own field errors and ours together."""

    def to_internal_value(self, data: Any) -> Any:
        errors = body_errors(self, data)
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not errors or not isinstance(exc.detail, dict):
                raise
            raise serializers.ValidationError({**exc.detail, **errors}) from None
        if errors:
            raise serializers.ValidationError(errors)
        return value
