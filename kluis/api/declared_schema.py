"""The OpenAPI operations of a declared resource (kluis/api/declared.py): summaries,
parameters, problem responses and examples, made from its declaration."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from kluis.api.schema import problem_responses
from kluis.api.sparse import (
    FIELDS_PARAMETER,
    IDEMPOTENCY_PARAMETER,
    IF_MATCH_PARAMETER,
    problem_example,
)

if TYPE_CHECKING:
    from kluis.api.declaration import Declaration

# The If-Match of a resource with a version column (`Declaration.versioned`).
VERSION_IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description='The ETag you read, e.g. W/"42-3"; 412 when it is stale. Without it (or a '
    "`version` in the body) the change applies to the object as it is now.",
)


def _title(words: str) -> str:
    return words[:1].upper() + words[1:]


def _article(words: str) -> str:
    return "an" if words[:1] in "aeiou" else "a"


def schema_of(d: Declaration) -> dict[str, Any]:
    """The OpenAPI operations of a declared resource."""
    operations = _operations(d)
    return {
        action: extend_schema(
            **{
                **spec,
                "summary": d.summaries.get(action, spec["summary"]),
                "description": d.descriptions.get(action)
                or spec.get("description")
                or d.about
                or None,
                "examples": [*spec.get("examples", ()), *d.examples.get(action, ())],
            }
        )
        for action, spec in operations.items()
    }


def _fields_parameter(d: Declaration) -> OpenApiParameter:
    if not d.fields_example:
        return FIELDS_PARAMETER
    return OpenApiParameter(
        "fields",
        OpenApiTypes.STR,
        description="Comma-separated fields to return (id is always returned), e.g. "
        f"`{d.fields_example}`.",
    )


def _operations(d: Declaration) -> dict[str, dict[str, Any]]:
    one, many = d.singular, d.plural or d.prefix.replace("-", " ")
    body = d.change_serializer or d.serializer
    a = _article(one)
    example = dict(d.example)
    if_match = VERSION_IF_MATCH_PARAMETER if d.versioned else IF_MATCH_PARAMETER
    operations: dict[str, dict[str, Any]] = {
        "list": dict(
            summary=f"List {many}",
            parameters=[_fields_parameter(d)],
            responses={200: d.serializer(many=True), **problem_responses(400, 401, 403, 429)},
            examples=[OpenApiExample(f"A page of {many}", value=example)],
        ),
        "retrieve": dict(
            summary=f"Read one {one}",
            parameters=[_fields_parameter(d)],
            responses={200: d.serializer, **problem_responses(400, 401, 403, 404, 429)},
            examples=[OpenApiExample(_title(f"{a} {one}"), value=example)],
        ),
    }
    if d.create is not None:
        operations["create"] = dict(
            summary=f"Create {a} {one}",
            parameters=[IDEMPOTENCY_PARAMETER],
            request=d.create_serializer or d.serializer,
            responses={
                201: d.serializer,
                **problem_responses(400, 401, 403, 409, 415, 422, 429),
            },
            examples=[
                OpenApiExample(f"A new {one}", value=dict(d.create_example), request_only=True),
                OpenApiExample(f"The created {one}", value=example, response_only=True),
            ],
        )
    if d.change is not None:
        summary, patch = d.change_example
        changed = {**example, **patch}

        refused = d.change_conflict_example
        codes = (400, 401, 403, 404, *((409,) if refused else ()), 412, 415, 422, 429)
        instance = f"/api/v1/{d.prefix}/{example.get('id', 1)}/"

        def write(verb: str, description: str, sent: tuple[str, dict[str, Any]]) -> dict[str, Any]:
            return dict(
                summary=f"{verb} {a} {one}",
                description=description,
                parameters=[if_match],
                request=body,
                responses={200: d.serializer, **problem_responses(*codes)},
                examples=[
                    OpenApiExample(sent[0], value=sent[1], request_only=True),
                    OpenApiExample(f"The {verb.lower()}d {one}", value=changed, response_only=True),
                    *(
                        [problem_example("Refused by its state", 409, refused, instance)]
                        if refused
                        else []
                    ),
                ],
            )

        operations["partial_update"] = write(
            "Change", d.change_description, (summary or "A change", dict(patch))
        )
        if d.replace:
            replaced = {**dict(d.create_example), **patch}
            operations["update"] = write(
                "Replace", d.replace_description, (f"A whole {one}", replaced)
            )
    if d.remove is not None:
        codes = (
            (400, 401, 403, 404, 409, 412, 429) if d.conflicts else (400, 401, 403, 404, 412, 429)
        )
        instance = f"/api/v1/{d.prefix}/{example.get('id', 1)}/"
        operations["destroy"] = dict(
            summary=f"Delete {a} {one}",
            description=d.delete_description or None,
            parameters=[if_match],
            request=None,
            responses={204: OpenApiResponse(description="Deleted"), **problem_responses(*codes)},
            examples=[problem_example("Still in use", 409, d.conflict_example, instance)]
            if d.conflict_example
            else [],
        )
    operations.update(_item_operations(d, a, one, if_match, example))
    return operations


def _item_operations(
    d: Declaration, a: str, one: str, if_match: OpenApiParameter, example: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The actions on one object and its history (Declaration.actions, .history)."""
    operations: dict[str, dict[str, Any]] = {}
    for item in d.actions:
        result = {**example, **dict(item.result_example)}
        codes = (400, 401, 403, 404, 409, 412, 415, 422, 429)
        instance = f"/api/v1/{d.prefix}/{example.get('id', 1)}/{item.name}/"
        operations[f"act_{item.name}"] = dict(
            summary=item.summary,
            description=item.description or None,
            parameters=[if_match],
            request=item.body,
            responses={200: d.serializer, **problem_responses(*codes)},
            examples=[
                OpenApiExample(item.summary, value=dict(item.example), request_only=True),
                OpenApiExample(f"The {one} after it", value=result, response_only=True),
                *(
                    [problem_example("Refused by its state", 409, item.conflict_example, instance)]
                    if item.conflict_example
                    else []
                ),
            ],
        )
    if d.history is not None:
        history = d.history
        operations["history"] = dict(
            summary=history.summary or f"Read the history of {a} {one}",
            description=history.description or None,
            parameters=[],
            responses={
                200: history.serializer(many=True),
                **problem_responses(400, 401, 403, 404, 429),
            },
            examples=[OpenApiExample(f"The history of {a} {one}", value=dict(history.example))],
        )
    return operations
