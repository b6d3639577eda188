"""The webhook events of running a company: members and roles
(kluis/integrations/webhooks/catalogue.py).

A membership (someone's access to the company, `/api/v1/memberships/`) is the entity
`member`. Granting or taking away a role is one event, `member.role_changed`, whose
`data.role` names the role and `data.change` says "granted" or "revoked"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, keep_quiet, register

MEMBER = "tenancy.membership"
ROLE = "access.role"


def register_all() -> None:
    # The API (same app) holds each resource's example object.
    from kluis.company.api.memberships import EXAMPLE as MEMBER_EXAMPLE
    from kluis.company.api.roles import EXAMPLE as ROLE_EXAMPLE

    keep_quiet("tenant.created")  # before anyone could subscribe
    member: dict[str, Any] = {
        "object_type": MEMBER,
        "resource": "memberships",
        "example_object": dict(MEMBER_EXAMPLE),
    }
    role: dict[str, Any] = {
        "object_type": ROLE,
        "resource": "roles",
        "example_object": dict(ROLE_EXAMPLE),
    }
    for event in (
        EventType("member.created", _("Someone was given access"), **member),
        EventType(
            "member.deactivated",
            _("A member's access was ended"),
            **(member | {"example_object": dict(MEMBER_EXAMPLE) | {"is_active": False}}),
        ),
        EventType("member.reactivated", _("A member's access was restored"), **member),
        EventType(
            "member.mfa_reset", _("A member's two-factor authentication was reset"), **member
        ),
        EventType(
            "member.role_changed",
            _("A member was given a role, or one was taken away"),
            **member,
            example_fields=("roles",),
            details={"role": ROLE_EXAMPLE["id"], "change": "granted"},
        ),
        EventType("role.created", _("A role was created"), **role),
        EventType(
            "role.updated",
            _("A role changed"),
            **role,
            example_fields=("name", "grants"),
        ),
        EventType("role.deleted", _("A role was removed"), **role),
    ):
        register(event)
