"""The company app's actions under the two-person rule (kluis/approvals/registry.py):
granting a privileged role (Owner, HR admin, Auditor; `register()`) and resetting
someone's two-factor authentication (`register_mfa_reset()`), both called from
CompanyConfig.ready."""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.access.models import Role, RoleAssignment
from kluis.approvals import registry, services
from kluis.approvals.models import ApprovalRequest
from kluis.tenancy.models import Membership

ROLE_GRANT = "role.grant_privileged"


def _fingerprint_of(membership: Membership, role: Role) -> str:
    """Whether the member already holds the role and whether they are active: a request
    whose member got the role meanwhile, or left, cannot be approved."""
    holds = (
        RoleAssignment.objects.for_tenant(membership.tenant_id)
        .filter(membership_id=membership.pk, role_id=role.pk)
        .exists()
    )
    state = f"{membership.pk}:{role.pk}:{int(holds)}:{int(membership.is_active)}"
    return hashlib.sha256(state.encode()).hexdigest()


def gate_role_grant(actor: Actor, membership: Membership, role: Role) -> None:
    """Hold the grant when the company chose so, and an Owner grant always once the
    company has two active owners. The system (the demo loader, the command line) is not
    held: there is nobody to be the first person."""
    if actor.is_system:
        return
    services.gate(
        actor,
        ROLE_GRANT,
        tenant=membership.tenant,
        target=membership,
        target_label=membership.display_name,
        payload={"membership": membership.pk, "role": role.pk},
        changes=[
            {
                "field": "role",
                "label": str(gettext_lazy("Role")),
                "old": None,
                "new": role.name,
            }
        ],
        fingerprint=_fingerprint_of(membership, role),
        always=role.builtin_key == "owner" and services.owners(membership.tenant) >= 2,
    )


def _target(request: ApprovalRequest) -> tuple[Membership, Role]:
    membership = Membership.objects.for_tenant(request.tenant_id).get(
        pk=request.payload["membership"]
    )
    role = Role.objects.for_tenant(request.tenant_id).get(pk=request.payload["role"])
    return membership, role


def _fingerprint(request: ApprovalRequest) -> str:
    try:
        membership, role = _target(request)
    except (Membership.DoesNotExist, Role.DoesNotExist):
        return ""
    return _fingerprint_of(membership, role)


def _apply(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    from kluis.company.services.roles import grant_role

    membership, role = _target(request)
    grant_role(actor, membership, role)
    return {"url": f"/members/{membership.pk}/"}


def register() -> None:
    from kluis.access import visibility

    # Both names of a grant applied under the rule, in its role.granted audit event.
    visibility.register("tenancy.membership", {"approval": visibility.PLAIN})
    registry.register(
        registry.ApprovalAction(
            key=ROLE_GRANT,
            label=gettext_lazy("Grant Owner, HR admin or Auditor"),
            approve_permission="access.manage_roles",
            apply=_apply,
            fingerprint=_fingerprint,
            description=gettext_lazy(
                "A second person with the right to manage roles approves before someone "
                "becomes Owner, HR admin or Auditor. Owner grants always need it once the "
                "company has two owners."
            ),
        )
    )


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
            label=gettext_lazy("Reset someone's two-factor authentication"),
            description=gettext_lazy(
                "Removing a member's authenticator app, passkeys and recovery codes; the "
                "member themselves never approves it."
            ),
            approve_permission=PERMISSION,
            apply=_apply_mfa_reset,
            fingerprint=_mfa_fingerprint,
            excluded_users=_mfa_excluded,
        )
    )
