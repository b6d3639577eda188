"""Company's actions under the two-person rule (kluis/approvals/), registered from
CompanyConfig.ready."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.approvals import registry
from kluis.approvals.models import ApprovalRequest
from kluis.tenancy.models import Membership

# --- resetting someone's two-factor authentication ---------------------------------------


def _member(request: ApprovalRequest) -> Membership:
    return (
        Membership.objects.for_tenant(request.tenant_id)
        .select_related("user", "tenant")
        .get(pk=request.payload["membership"])
    )


def _apply_mfa_reset(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    from kluis.company.services.mfa import reset_member_mfa

    membership = _member(request)
    reset_member_mfa(actor, membership)
    return {"url": reverse("members:member", args=[membership.pk])}


def _mfa_fingerprint(request: ApprovalRequest) -> str:
    from kluis.company.services.mfa import factors_fingerprint

    found = Membership.objects.for_tenant(request.tenant_id).filter(
        pk=request.payload["membership"]
    )
    user_id = found.values_list("user_id", flat=True).first()
    return "" if user_id is None else factors_fingerprint(user_id)


def _mfa_excluded(request: ApprovalRequest) -> set[int]:
    """The member whose factors are reset never approves it."""
    found = Membership.objects.for_tenant(request.tenant_id).filter(
        pk=request.payload["membership"]
    )
    return set(found.values_list("user_id", flat=True))


def register_mfa_reset() -> None:
    from kluis.company.services.mfa import PERMISSION, RESET

    registry.register(
        registry.ApprovalAction(
            key=RESET,
            label=_("Reset someone's two-factor authentication"),
            description=_(
                "Removing a member's authenticator app, passkeys and recovery codes; the "
                "member themselves never approves it."
            ),
            approve_permission=PERMISSION,
            apply=_apply_mfa_reset,
            fingerprint=_mfa_fingerprint,
            excluded_users=_mfa_excluded,
        )
    )
