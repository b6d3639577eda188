"""What the company's admins hear of an offboarding in their inbox: the credentials handed
over to a named owner (to replace their secrets), and an offboarding that could not be
carried out. Kinds registered in apps.py."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from kluis.company.notices import notify
from kluis.offboarding.models import Offboarding
from kluis.tenancy.models import Membership

HANDED_OVER = "offboarding.handed_over"
FAILED = "offboarding.failed"
# The company's admins: those who add and deactivate members.
ADMIN_PERMISSION = "tenancy.manage_members"


def admins(tenant_id: int, *also: int | None) -> list[Membership]:
    """Active members holding the admin permission company-wide, and the members named."""
    holds = Q(
        role_assignments__role__permissions__permission=ADMIN_PERMISSION,
        role_assignments__role__permissions__scope="company",
    )
    named = Q(pk__in=[pk for pk in also if pk is not None])
    return list(
        Membership.objects.for_tenant(tenant_id)
        .filter(holds | named, is_active=True)
        .select_related("user", "tenant")
        .distinct()
    )


def _url(offboarding: Offboarding) -> str:
    return reverse("offboarding:detail", args=[offboarding.pk])


def tell_of_handover(offboarding: Offboarding) -> None:
    handed = offboarding.revoked.get("handed_over", {})
    clients, webhooks = len(handed.get("api_clients", [])), len(handed.get("webhooks", []))
    heir = (
        Membership.objects.for_tenant(offboarding.tenant_id)
        .select_related("user")
        .filter(pk=handed.get("to"))
        .first()
    )

    def compose() -> tuple[str, str]:
        return _("Integrations handed over after an offboarding"), _(
            "%(leaver)s left: %(clients)d API client(s) and %(webhooks)d webhook "
            "subscription(s) they made now belong to %(owner)s. They keep working; replace "
            "their secrets, which the leaver saw."
        ) % {
            "leaver": offboarding.employee,
            "clients": clients,
            "webhooks": webhooks,
            "owner": heir.user if heir is not None else "-",
        }

    notify(
        admins(offboarding.tenant_id, handed.get("to")),
        topic=HANDED_OVER,
        compose=compose,
        url=_url(offboarding),
    )


def tell_of_failure(offboarding: Offboarding) -> None:
    def compose() -> tuple[str, str]:
        return _("An offboarding could not be carried out"), _(
            "The access of %(leaver)s could not be revoked: %(reason)s"
        ) % {"leaver": offboarding.employee, "reason": offboarding.failure}

    notify(admins(offboarding.tenant_id), topic=FAILED, compose=compose, url=_url(offboarding))
