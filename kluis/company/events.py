"""The webhook events of running a company: members and roles
(kluis/integrations/webhooks/catalogue.py)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from kluis.integrations.webhooks.catalogue import EventType, keep_quiet, register

MEMBER = "tenancy.membership"
ROLE = "access.role"


def register_all() -> None:
    keep_quiet("tenant.created")  # before anyone could subscribe
    for event in (
        EventType("membership.created", _("Someone was given access"), MEMBER, "members"),
        EventType("membership.deactivated", _("A member's access was ended"), MEMBER, "members"),
        EventType("membership.reactivated", _("A member's access was restored"), MEMBER, "members"),
        EventType("member.mfa_reset", _("A member's two-factor authentication was reset"), MEMBER),
        EventType("role.created", _("A role was created"), ROLE, "roles"),
        EventType("role.updated", _("A role changed"), ROLE, "roles"),
        EventType("role.deleted", _("A role was removed"), ROLE, "roles"),
        EventType("role.granted", _("A member was given a role"), MEMBER, "members"),
        EventType("role.revoked", _("A member's role was taken away"), MEMBER, "members"),
    ):
        register(event)
