"""HR resets a member's two-factor authentication (permission identity.reset_mfa).

Only a member of the acting company can be reset, by someone of that company. The account
is global: the reset removes its factors everywhere, so each of the member's other
companies gets an audit event too, and the member is e-mailed
(kluis/identity/mfa_reset.py). One cannot reset one's own factors here: that is the
Two-factor authentication page, behind re-authentication. The company may hold a reset for
a second approver (the two-person rule): never the member whose factors are reset."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.approvals.services import gate
from kluis.audit.services import record
from kluis.identity.mfa_reset import remove_all_factors
from kluis.integrations.events import emit
from kluis.tenancy.models import Membership

PERMISSION = "identity.reset_mfa"
RESET = "mfa.reset"  # the two-person rule's action (kluis/company/approval_actions.py)


def factors_fingerprint(user_id: int) -> str:
    """The account's factors as they stand: set up again or removed meanwhile changes it."""
    rows = Authenticator.objects.filter(user_id=user_id).order_by("pk")
    return ",".join(f"{pk}:{kind}" for pk, kind in rows.values_list("pk", "type"))


def _hold(actor: Actor, membership: Membership) -> None:
    """Wait for a second approver when the company chose so (the member never approves
    it); nothing to reset is said at once, without a request."""
    kinds = sorted(
        set(Authenticator.objects.filter(user_id=membership.user_id).values_list("type", flat=True))
    )
    if not kinds:
        raise ValidationError(
            _("%(member)s has no two-factor authentication to reset.")
            % {"member": membership.display_name}
        )
    gate(
        actor,
        RESET,
        tenant=membership.tenant,
        target=membership,
        target_label=membership.display_name,
        payload={"membership": membership.pk},
        changes=[
            {
                "field": "factors",
                "label": _("Two-factor authentication"),
                "old": ", ".join(kinds),
                "new": _("removed"),
            }
        ],
        fingerprint=factors_fingerprint(membership.user_id),
    )


def reset_member_mfa(actor: Actor, membership: Membership) -> list[str]:
    """Remove every factor of the member's account; the kinds removed."""
    if actor.is_system or actor.tenant is None or actor.tenant.pk != membership.tenant_id:
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, PERMISSION)
    if actor.membership is not None and actor.membership.user_id == membership.user_id:
        raise ValidationError(_("Manage your own two-factor authentication from your name's menu."))
    _hold(actor, membership)
    with transaction.atomic(durable=True):
        locked = Membership.objects.for_tenant(membership.tenant_id).select_for_update()
        membership = locked.select_related("user", "tenant").get(pk=membership.pk)
        removed = remove_all_factors(
            membership.user,
            company_name=membership.tenant.name,
            except_tenant_id=membership.tenant_id,
        )
        if not removed:
            raise ValidationError(
                _("%(member)s has no two-factor authentication to reset.")
                % {"member": membership.display_name}
            )
        record(
            actor,
            "mfa.reset",
            tenant=membership.tenant,
            target=membership,
            changes={"removed": removed},
        )
        emit("member.mfa_reset", tenant=membership.tenant, target=membership)
        _tell_in_the_inbox(membership)
    return removed


def _tell_in_the_inbox(membership: Membership) -> None:
    """The notice in the member's inbox (the e-mail is identity's, sent to the account)."""
    from django.urls import reverse

    from kluis.company.notices import notify

    def compose() -> tuple[str, str]:
        return _("Your two-factor authentication was reset"), _(
            "An administrator of %(company)s removed your authenticator app, passkeys and "
            "recovery codes. Set up two-factor authentication again."
        ) % {"company": membership.tenant.name}

    notify(
        [membership],
        topic="security.mfa_reset",
        compose=compose,
        url=reverse("mfa_index"),
        mail=False,
    )
