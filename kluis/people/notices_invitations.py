"""Telling those who invite people that an invitation was accepted: "Lotte Maes accepted
the invitation and signed in", in the inbox of the company's members who may invite
(`tenancy.manage_members`) and of the person who sent the link, linking to the person's
profile (their member page when they have no HR file). A kind of the inbox
(`invitation.accepted`, in the app unless a member chooses e-mail too); written in the
transaction that accepts the invitation (kluis/identity/invitations.py tells us)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.audit.models import AuditEvent
from kluis.company.models import Delivery
from kluis.company.notices import notify
from kluis.company.notices_kinds import register_kind
from kluis.identity import invitations
from kluis.identity.models import Invitation
from kluis.people.models import Employee
from kluis.tenancy.models import Membership

KIND = "invitation.accepted"


def register() -> None:
    register_kind(
        KIND,
        gettext_lazy("An invitation was accepted"),
        gettext_lazy("Someone you or your colleagues invited set up their sign-in."),
        default_delivery=Delivery.APP,
        group=gettext_lazy("People"),
        audience=(invitations.PERMISSION,),  # and the sender, once they got one
    )
    invitations.on_accepted(invitation_accepted)


def _sender(invitation: Invitation) -> int | None:
    """The user who sent (or last resent) the link: the audit log knows who."""
    sent: int | None = (
        AuditEvent.objects.for_tenant(invitation.tenant_id)
        .filter(
            action__in=("invitation.sent", "invitation.resent"),
            object_type=Membership._meta.label_lower,
            object_id=str(invitation.membership_id),
        )
        .order_by("-sequence")
        .values_list("actor_user_id", flat=True)
        .first()
    )
    return sent


def recipients(invitation: Invitation) -> list[Membership]:
    """The company's active members who may invite, and the sender; never the invitee."""
    members = Membership.objects.for_tenant(invitation.tenant_id).filter(is_active=True)
    inviters = members.filter(
        role_assignments__role__permissions__permission=invitations.PERMISSION
    ).values("pk")
    sender = _sender(invitation)
    chosen = members.filter(pk__in=inviters)
    if sender is not None:
        chosen = chosen | members.filter(user_id=sender)
    return list(
        chosen.exclude(pk=invitation.membership_id).select_related("user").distinct().order_by("pk")
    )


def invitation_accepted(invitation: Invitation) -> None:
    membership = invitation.membership
    employee = (
        Employee.objects.for_tenant(invitation.tenant_id).filter(membership=membership).first()
    )
    user = membership.user
    name = employee.display_name if employee is not None else user.get_full_name() or user.email
    url = (
        reverse("people:detail", args=[employee.pk])
        if employee is not None
        else reverse("members:member", args=[membership.pk])
    )

    def compose() -> tuple[str, str]:
        title = _("%(name)s accepted the invitation and signed in") % {"name": name}
        return title, ""

    notify(recipients(invitation), topic=KIND, compose=compose, url=url)
