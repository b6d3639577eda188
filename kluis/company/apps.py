from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig

if TYPE_CHECKING:
    from kluis.identity.models import User
    from kluis.tenancy.models import Tenant


class CompanyConfig(AppConfig):
    """Running a company: its members and their roles, creating companies, the demo ones.

    It builds on tenancy, access, audit, the API pipeline and the outbox (they know nothing
    of it), which is why these pages, resources and services are not in tenancy or access."""

    name = "kluis.company"
    label = "company"
    verbose_name = "Company administration"

    def ready(self) -> None:
        from kluis.company import events

        events.register_all()
        from kluis.access import visibility

        # Deactivation: the new state and how many sessions and tokens it ended.
        visibility.register(
            "tenancy.membership",
            {
                "is_active": visibility.PLAIN,
                "sessions_ended": visibility.PLAIN,
                "oauth_tokens_revoked": visibility.PLAIN,
            },
        )
        from kluis.identity.sso import provisioning

        provisioning.register(_add_member_from_sso)


def _add_member_from_sso(tenant: Tenant, email: str, first_name: str, last_name: str) -> User:
    """Just-in-time creation at a first single sign-on (when the company allows it): a
    member with no role, added by the system on the company's behalf."""
    from kluis.access.actor import Actor
    from kluis.company.services.members import add_member

    membership = add_member(
        Actor.system("single sign-on", tenant),
        tenant,
        email=email,
        first_name=first_name,
        last_name=last_name,
    )
    user: User = membership.user
    return user
