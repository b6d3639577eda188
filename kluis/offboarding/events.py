"""The webhook events of offboardings (kluis/integrations/webhooks/catalogue.py):
`offboarding.requested` when HR starts one, `offboarding.approved` when the second person
approves it (its moment fixed), `offboarding.executed` when the leaver's access ended.
Payloads carry ids and counts, never the reason."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, register

OFFBOARDING = "offboarding.offboarding"

EXAMPLE: dict[str, Any] = {
    "id": 7,
    "employee": 42,
    "last_day": "2026-12-31",
    "reason": "Resigned",
    "moment": "end_of_last_day",
    "status": "approved",
    "effective_at": "2026-12-31T23:00:00Z",
    "handover_to": 3,
    "requested_by": "hr@demo-bv.test",
    "requested_at": "2026-12-07T09:00:00Z",
    "approval_request": 12,
    "approved_by": "owner@demo-bv.test",
    "approved_at": "2026-12-07T10:00:00Z",
    "executed_at": None,
    "revoked": {},
}


def register_all() -> None:
    common: dict[str, Any] = {
        "object_type": OFFBOARDING,
        "resource": "offboardings",
        "example_object": dict(EXAMPLE),
        "parent": "employee",
    }
    register(
        EventType(
            "offboarding.requested",
            _("An offboarding was started and waits for approval"),
            **common,
            details={"moment": "end_of_last_day"},
        )
    )
    register(EventType("offboarding.approved", _("An offboarding was approved"), **common))
    register(
        EventType(
            "offboarding.executed",
            _("A leaver's access was revoked"),
            **common,
            details={"counts": {"sessions": 2, "api_keys": 1, "webhooks_handed_over": 1}},
        )
    )
