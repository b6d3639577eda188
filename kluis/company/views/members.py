"""Members of the company: who has access, with which roles; grant and revoke roles.

A team-scoped viewer (a manager) sees their reports and themselves; a member outside the
viewer's reach answers 404, exactly like one that does not exist. Object views look the
object up in the current company before checking the permission, so another company's
id is a 404 whatever the viewer may do.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import can, can_for, grants_of, team_of
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import GrantRoleForm, add_service_errors, service_error_text
from kluis.access.models import Role, RoleAssignment
from kluis.access.permissions import Scope
from kluis.company.services import (
    deactivate_member,
    grant_role,
    reactivate_member,
    reset_member_mfa,
    revoke_role,
)
from kluis.identity import invitations
from kluis.identity.stepup import needs_step_up, step_up_redirect
from kluis.tenancy.models import Membership
from kluis.tenancy.selectors import membership_in

VIEW = "tenancy.view_members"
MANAGE_ROLES = "access.manage_roles"
RESET_MFA = "identity.reset_mfa"
MANAGE_MEMBERS = "tenancy.manage_members"
PEOPLE_LIST = "people.view"


def visible_members(actor: Actor) -> QuerySet[Membership]:
    """The members the actor may see: all, their team (reports + themselves) or themselves."""
    members = Membership.objects.for_actor(actor)
    scope = grants_of(actor).get(VIEW)
    if actor.membership is None or scope is None:
        members = members.none()
    elif scope == Scope.TEAM:
        members = members.filter(pk__in=team_of(actor))
    elif scope == Scope.SELF:
        members = members.filter(pk=actor.membership.pk)
    assignments = RoleAssignment.objects.select_related("role").order_by("role__name")
    return members.select_related("user", "manager__user").prefetch_related(
        Prefetch("role_assignments", queryset=assignments)
    )


def _visible_member(request: HttpRequest, pk: int) -> Membership:
    """Another company's member: 404; no right to see members: 403; outside scope: 404."""
    member = membership_in(request.actor, pk)  # type: ignore[attr-defined]
    if not can(request.actor, VIEW):  # type: ignore[attr-defined]
        raise PermissionDenied
    if not can_for(request.actor, VIEW, member):  # type: ignore[attr-defined]
        raise Http404("No such member")
    return member


def _grantable_roles(actor: Actor, member: Membership) -> QuerySet[Role]:
    return Role.objects.for_actor(actor).exclude(assignments__membership=member)


@member_required(VIEW)
def member_list(request: HttpRequest) -> HttpResponse:
    """Whoever may use the People list (people.view for the whole company) finds the
    members there: its Account filter ("Has a login") and, under the table, the logins
    without an HR file. Others who may see members (an auditor; a manager, for their team)
    keep this read-only list."""
    actor = request.actor  # type: ignore[attr-defined]
    if grants_of(actor).get(PEOPLE_LIST) == Scope.COMPANY:
        return redirect(reverse("people:list") + "?account=member")
    members = visible_members(actor)
    can_invite = can(actor, invitations.PERMISSION)
    pending = invitations.pending_invitations(actor.tenant) if can_invite else []
    return render(
        request,
        "company/member_list.html",
        {"members": members, "pending": pending, "can_invite": can_invite},
    )


def _render_detail(
    request: HttpRequest, member: Membership, grant_form: GrantRoleForm | None = None
) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    can_manage = can(actor, MANAGE_ROLES)
    if can_manage and grant_form is None:
        grant_form = GrantRoleForm(roles=_grantable_roles(actor, member))
    assignments = member.role_assignments.select_related("role").order_by("role__name")
    return render(
        request,
        "company/member_detail.html",
        {
            "member": member,
            "assignments": assignments,
            "can_manage": can_manage,
            "can_view_roles": can(actor, "access.view_roles"),  # else no link to a 403
            "grant_form": grant_form if can_manage else None,
            "can_reset_mfa": can(actor, RESET_MFA) and member.user_id != actor.membership.user_id,
            "has_mfa": Authenticator.objects.filter(user_id=member.user_id).exists(),
            "can_manage_members": can(actor, MANAGE_MEMBERS)
            and member.pk != getattr(actor.membership, "pk", None),
            "hr_file": _hr_file(actor, member),
        },
    )


def _hr_file(actor: Actor, member: Membership) -> str | None:
    """The address of the member's HR profile (with its Account panel), when they have one
    the viewer may open (a 404 there still guards what they may not)."""
    if not can_for(actor, PEOPLE_LIST, member):
        return None
    # The HR file is the people app's (a layer above): reached by the reverse relation.
    employee_id = (
        Membership.objects.for_actor(actor)
        .filter(pk=member.pk, employee__isnull=False)
        .values_list("employee__pk", flat=True)
        .first()
    )
    if employee_id is None:
        return None
    return reverse("people:detail", args=[employee_id]) + "#account"


@member_required()
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _visible_member(request, pk))


def _require_manage_roles(request: HttpRequest) -> HttpResponseNotAllowed | None:
    """After the lookup: 403 without the permission, 405 for anything but POST."""
    if not can(request.actor, MANAGE_ROLES):  # type: ignore[attr-defined]
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    return None


@member_required()
def member_grant_role(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    member = membership_in(actor, pk)
    if refused := _require_manage_roles(request):
        return refused
    if needs_step_up(request):
        return step_up_redirect(request, reverse("members:member", args=[member.pk]))
    form = GrantRoleForm(request.POST, roles=_grantable_roles(actor, member))
    if form.is_valid():
        role = form.cleaned_data["role"]
        try:
            grant_role(request.actor, member, role)  # type: ignore[attr-defined]
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(member)s now has the role %(role)s.")
                % {"member": member.display_name, "role": role.name},
            )
            return redirect("members:member", pk=member.pk)
    return _render_detail(request, member, form)


@member_required()
def member_revoke_role(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    member = membership_in(request.actor, pk)  # type: ignore[attr-defined]
    role = Role.objects.access_by_id(request.actor, role_pk)  # type: ignore[attr-defined]
    if refused := _require_manage_roles(request):
        return refused
    if page := confirm_first(
        request,
        title=_("Take the role %(role)s away from %(member)s?")
        % {"role": role.name, "member": member.display_name},
        message=_("They lose what the role lets them see and do at once."),
        button=_("Revoke role"),
        cancel=reverse("members:member", args=[member.pk]),
    ):
        return page
    try:
        revoke_role(request.actor, member, role)  # type: ignore[attr-defined]
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request,
            _("%(member)s no longer has the role %(role)s.")
            % {"member": member.display_name, "role": role.name},
        )
    return redirect("members:member", pk=member.pk)


@member_required()
def member_reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove every factor of a member of this company (identity.reset_mfa): another
    company's member is a 404, like one that does not exist."""
    actor = request.actor  # type: ignore[attr-defined]
    member = membership_in(actor, pk)
    if not can(actor, RESET_MFA):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if needs_step_up(request):
        return step_up_redirect(request, reverse("members:member", args=[member.pk]))
    if page := confirm_first(
        request,
        title=_("Reset the two-factor authentication of %(member)s?")
        % {"member": member.display_name},
        message=_(
            "Every second factor of theirs is removed; they are e-mailed and set one up "
            "again at their next sign-in."
        ),
        button=_("Reset two-factor authentication"),
        cancel=reverse("members:member", args=[member.pk]),
    ):
        return page
    try:
        reset_member_mfa(actor, member)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        messages.success(
            request,
            _("The two-factor authentication of %(member)s is reset and they were e-mailed.")
            % {"member": member.display_name},
        )
    return redirect("members:member", pk=member.pk)


@member_required()
def member_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    """Deactivate (every session and OAuth token of the member ends) or reactivate."""
    actor = request.actor  # type: ignore[attr-defined]
    member = membership_in(actor, pk)
    if not can(actor, MANAGE_MEMBERS):
        raise PermissionDenied
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not active and (
        page := confirm_first(
            request,
            title=_("Deactivate the access of %(member)s?") % {"member": member.display_name},
            message=_(
                "Every session of this person ends at once and the tokens of the apps they "
                "connected are revoked. Their HR file is kept."
            ),
            button=_("Deactivate access"),
            cancel=reverse("members:member", args=[member.pk]),
        )
    ):
        return page
    try:
        (reactivate_member if active else deactivate_member)(actor, member)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, service_error_text(error))
    else:
        text = (
            _("%(member)s has access again.")
            if active
            else _("%(member)s no longer has access; their sessions have ended.")
        )
        messages.success(request, text % {"member": member.display_name})
    return redirect("members:member", pk=member.pk)
