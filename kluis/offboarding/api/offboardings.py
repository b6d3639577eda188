"""`/api/v1/offboardings/`: list and read offboardings, and request one (POST: it waits
for a second person's approval at `/api/v1/approvals/<approval_request>/`). Scope
`offboardings:write` (`offboarding.request`) for both: who may read who is leaving is who
may start an offboarding. Approving is the approvals resource's, never this one's."""

from __future__ import annotations

from typing import Any

import django_filters
from rest_framework import serializers

from kluis.api.declaration import Declaration
from kluis.api.serializers import StrictSerializer
from kluis.offboarding import services
from kluis.offboarding.events import EXAMPLE
from kluis.offboarding.models import Moment, Offboarding, Status
from kluis.people.models import Employee
from kluis.tenancy.models import Membership


class OffboardingSerializer(StrictSerializer):
    id = serializers.IntegerField(read_only=True)
    employee = serializers.IntegerField(help_text="The leaver (an employee's id)")
    last_day = serializers.DateField(help_text="The last working day")
    reason = serializers.CharField(max_length=500)
    moment = serializers.ChoiceField(
        choices=Moment.values,
        help_text="immediately (after approval) or end_of_last_day (midnight after the last "
        "working day in the company's time zone)",
    )
    handover_to = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The member (a membership id) the company's API clients and webhooks the "
        "leaver made are handed to; required when an API client asks",
    )
    status = serializers.ChoiceField(choices=Status.values, read_only=True)
    effective_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When access ends (set at approval)"
    )
    requested_by = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    approval_request = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The id at /api/v1/approvals/"
    )
    approved_by = serializers.CharField(read_only=True)
    approved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    executed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    revoked = serializers.JSONField(
        read_only=True,
        help_text="Exactly what was revoked and handed over: kinds to ids, and counts",
    )


COLUMNS = {
    "id": "id",
    "employee": "employee_id",
    "last_day": "last_day",
    "reason": "reason",
    "moment": "moment",
    "handover_to": "handover_to_id",
    "status": "status",
    "effective_at": "effective_at",
    "requested_by": "requested_by_label",
    "requested_at": "requested_at",
    "approval_request": "approval_request_id",
    "approved_by": "approved_by_label",
    "approved_at": "approved_at",
    "executed_at": "executed_at",
    "revoked": "revoked",
}


def _create(actor: Any, tenant: Any, data: dict[str, Any]) -> Offboarding:
    employee = data.pop("employee")
    return services.request_offboarding(actor, employee, data)


OFFBOARDINGS = Declaration(
    prefix="offboardings",
    singular="offboarding",
    model=Offboarding,
    serializer=OffboardingSerializer,
    columns=COLUMNS,
    about=(
        "A person leaving the company: HR's request, a second person's approval (four eyes, "
        "at /api/v1/approvals/) and, at the effective moment, the revocation of every access "
        "of theirs, with exactly what was revoked. Read and request with scope "
        "offboardings:write."
    ),
    read=services.REQUEST,
    write=services.REQUEST,
    filters={
        "status": django_filters.ChoiceFilter(choices=Status.choices),
        "employee": django_filters.NumberFilter(field_name="employee_id"),
    },
    orderings=("id", "last_day", "requested_at"),
    links={"employee": Employee, "handover_to": Membership},
    create=_create,
    events=("offboarding.requested", "offboarding.approved", "offboarding.executed"),
    example=EXAMPLE,
    create_example={
        "employee": 42,
        "last_day": "2026-12-31",
        "reason": "Resigned",
        "moment": "end_of_last_day",
        "handover_to": 3,
    },
    summaries={"create": "Request an offboarding (waits for approval)"},
    descriptions={
        "create": "Needs scope offboardings:write. The offboarding waits for a second "
        "person with offboarding.approve (never the requester, never the leaver) at "
        "/api/v1/approvals/<approval_request>/. 422 when the person already has an open "
        "offboarding, or is the company's last owner."
    },
    fields_example="id,employee,status",
)
