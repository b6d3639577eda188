"""`/api/v1/approvals/`: the requests held for a second person (the two-person rule).

Read with scope audit:read (`audit.view`): the requests a reader may see, as in the web
UI: their own, those they may decide, and all of the company's for a reader of the whole
audit log (an API client with audit:read). The change's values behind a permission the
reader lacks are masked (`masked: true`, no values). `approve` and `reject` (with a
reason) are actions on a request; only a person decides (an app token acting as its
member), never an API client, and never the person who asked (403)."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from rest_framework import serializers

from kluis.access.actor import Actor
from kluis.api.declaration import Declaration, ItemAction
from kluis.api.declared import declare
from kluis.api.exceptions import answer_as_stale
from kluis.api.serializers import StrictSerializer
from kluis.api.sparse import pick
from kluis.approvals import registry, selectors, services
from kluis.approvals.models import ApprovalRequest, Status

READ = "audit.view"
VERSION_HELP = "The version you read (or send If-Match); 412 when it is stale"


class VersionMismatchError(Exception):
    """The request changed since the client read it."""


answer_as_stale(VersionMismatchError)


class ApprovalChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]
    old = serializers.JSONField()
    new = serializers.JSONField()
    masked = serializers.BooleanField(help_text="True: you may not read these values")


class ApprovalSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    action = serializers.CharField(read_only=True, help_text="The held action's key")
    action_label = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=Status.choices, read_only=True)
    target_type = serializers.CharField(read_only=True)
    target_id = serializers.CharField(read_only=True)
    target_label = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    requested_by = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    expires_at = serializers.DateTimeField(read_only=True)
    decided_by = serializers.CharField(read_only=True)
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True)
    decision_reason = serializers.CharField(read_only=True)
    applied_at = serializers.DateTimeField(read_only=True, allow_null=True)
    changes = ApprovalChangeSerializer(many=True, read_only=True)
    version = serializers.IntegerField(read_only=True)


class ApproveSerializer(StrictSerializer):
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


class RejectSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is rejected (required)")
    version = serializers.IntegerField(required=False, help_text=VERSION_HELP)


COLUMNS = {
    "id": "id",
    "action": "action",
    "status": "status",
    "target_type": "target_type",
    "target_id": "target_id",
    "target_label": "target_label",
    "note": "note",
    "requested_by": "requested_by_label",
    "requested_at": "requested_at",
    "expires_at": "expires_at",
    "decided_by": "decided_by_label",
    "decided_at": "decided_at",
    "decision_reason": "decision_reason",
    "applied_at": "applied_at",
    "version": "version",
}


def _label(row: ApprovalRequest) -> str:
    return str(registry.get(row.action).label) if registry.is_registered(row.action) else row.action


def _changes(row: ApprovalRequest, actor: Actor | None) -> list[dict[str, Any]]:
    if actor is None:  # no reader: nothing behind a permission
        return [
            {
                "field": c["field"],
                "label": c["label"],
                "old": None if c.get("reveal") else c["old"],
                "new": None if c.get("reveal") else c["new"],
                "masked": bool(c.get("reveal")),
            }
            for c in row.changes
        ]
    return [
        {"field": c.field, "label": c.label, "old": c.old, "new": c.new, "masked": c.masked}
        for c in services.changes_for(row, actor)
    ]


def represent(row: ApprovalRequest, actor: Actor | None = None) -> dict[str, Any]:
    data = {name: getattr(row, column) for name, column in COLUMNS.items()}
    data["action_label"] = _label(row)
    data["changes"] = _changes(row, actor)
    return data


def represent_rows(actor: Actor, rows: list[Any], only: set[str] | None) -> list[dict[str, Any]]:
    return [pick(represent(row, actor), only) for row in rows]


def _rows(actor: Actor) -> QuerySet[ApprovalRequest]:
    return selectors.candidates(actor)


def _check_version(row: ApprovalRequest, expected: int | None) -> None:
    if expected is not None and expected != row.version:
        raise VersionMismatchError("This request changed since you read it.")


def _approve(actor: Actor, row: ApprovalRequest, data: dict[str, Any], **kw: Any) -> Any:
    _check_version(row, kw.get("expected_version"))
    return services.approve(actor, row)


def _reject(actor: Actor, row: ApprovalRequest, data: dict[str, Any], **kw: Any) -> Any:
    _check_version(row, kw.get("expected_version"))
    return services.reject(actor, row, data.get("reason", ""))


EXAMPLE = {
    "id": 17,
    "action": "role.grant_privileged",
    "action_label": "Grant Owner, HR admin or Auditor",
    "status": "pending",
    "target_type": "tenancy.membership",
    "target_id": "42",
    "target_label": "Jan Peeters",
    "note": "",
    "requested_by": "owner@demo-bv.test",
    "requested_at": "2026-06-02T09:14:05Z",
    "expires_at": "2026-06-05T09:14:05Z",
    "decided_by": "",
    "decided_at": None,
    "decision_reason": "",
    "applied_at": None,
    "changes": [{"field": "role", "label": "Role", "old": None, "new": "Owner", "masked": False}],
    "version": 1,
}

APPROVALS = Declaration(
    prefix="approvals",
    singular="approval",
    model=ApprovalRequest,
    serializer=ApprovalSerializer,
    columns=COLUMNS,
    represent=represent,
    represent_rows=represent_rows,
    revealed_when={"changes": lambda actor: None},
    rows=_rows,
    read=READ,
    about=(
        "Sensitive actions held for a second person's approval (the two-person rule). An "
        "action that needs approval answers 202 Accepted with this resource's URL in "
        "`Location`. Read with scope audit:read; only a person (an app token) approves or "
        "rejects, never the person who asked."
    ),
    filters={
        "status": django_filters.ChoiceFilter(field_name="status", choices=Status.choices),
        "action": django_filters.CharFilter(field_name="action"),
    },
    orderings=("id", "requested_at", "expires_at"),
    versioned=True,
    events=("approval.requested", "approval.approved", "approval.rejected", "approval.expired"),
    example=EXAMPLE,
    actions=(
        ItemAction(
            "approve",
            _approve,
            ApproveSerializer,
            READ,
            "Approve a request and apply it",
            description="Only a person who may decide it (the action's approve permission "
            "for the whole company), never the person who asked, nor an API client (403). "
            "A request whose target changed meanwhile, or that expired, is closed (422). "
            "A sensitive action, as on the web: when the app's sign-in last confirmed a factor "
            "more than ten minutes ago (KLUIS_STEPUP_SECONDS), 403 `step_up_required`; the "
            "app re-authenticates through /auth/app/v1/auth/2fa/reauthenticate and tries again.",
            example={"version": 1},
            result_example={"status": "approved", "decided_by": "hr@demo-bv.test", "version": 2},
            step_up=True,
        ),
        ItemAction(
            "reject",
            _reject,
            RejectSerializer,
            READ,
            "Reject a request",
            description="With a reason; nothing is applied. The same people as approve.",
            example={"reason": "Not before the contract is signed.", "version": 1},
            result_example={"status": "rejected", "version": 2},
        ),
    ),
    fields_example="id,action,status,requested_by",
)

declare(APPROVALS)
