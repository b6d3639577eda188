"""Open invitations of the company (on the members page): send again, or revoke.

Another company's invitation id is a 404 (looked up through the restricting queryset
before any permission is considered); without `tenancy.manage_members` a 403."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.authorization import can
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.identity import invitations
from kluis.identity.models import Invitation


def _invitation(request: HttpRequest, pk: int) -> Invitation:
    actor = request.actor  # type: ignore[attr-defined]
    invitation: Invitation = Invitation.objects.select_related(
        "membership__user", "membership__tenant"
    ).access_by_id(actor, pk, not_found="No such invitation")
    if not can(actor, invitations.PERMISSION):
        raise PermissionDenied
    return invitation


@require_POST
@member_required()
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    try:
        invitations.invite(
            request.actor,  # type: ignore[attr-defined]
            invitation.membership,
            request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("A new invitation was e-mailed to %(email)s; the earlier link no longer works.")
            % {"email": invitation.membership.user.email},
        )
    return redirect("members:members")


@require_POST
@member_required()
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = _invitation(request, pk)
    if page := confirm_first(
        request,
        title=_("Revoke the invitation of %(email)s?")
        % {"email": invitation.membership.user.email},
        message=_("The link in the e-mail stops working; you can invite them again later."),
        button=_("Revoke invitation"),
        cancel=reverse("members:members"),
    ):
        return page
    try:
        invitations.revoke(request.actor, invitation)  # type: ignore[attr-defined]
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The invitation of %(email)s is revoked: its link no longer works.")
            % {"email": invitation.membership.user.email},
        )
    return redirect("members:members")
