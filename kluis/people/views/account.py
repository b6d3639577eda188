"""The Account panel of an HR profile and its actions: invite (kluis/people/views/
invitations.py), revoke the open link, deactivate and reactivate the login, reset its
two-factor authentication, grant and revoke roles.

Every action looks the employee up through `selectors.employee_for` (another company's or an
unreachable id: 404, before any permission is considered), then needs the permission the
owning service checks again (403 without it), and calls that service: kluis.identity
.invitations, kluis.company.services. A destructive action (deactivate, reset two-factor,
revoke a role or an invitation) first shows a confirmation page (GET), which works without
JavaScript; its form POSTs to the same address. Afterwards: back to the profile's panel.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.authorization import can, can_for
from kluis.access.decorators import member_required
from kluis.access.forms import GrantRoleForm, service_error_text
from kluis.access.models import Role
from kluis.company.services import (
    deactivate_member,
    grant_role,
    reactivate_member,
    reset_member_mfa,
    revoke_role,
)
from kluis.identity import invitations
from kluis.identity.stepup import needs_step_up, step_up_redirect
from kluis.people import selectors
from kluis.people.accounts import DEACTIVATED, INVITED, NONE, account_of
from kluis.people.models import Employee, EmployeeStatus
from kluis.people.views._common import _actor
from kluis.tenancy.models import Membership

VIEW_MEMBERS = "tenancy.view_members"
MANAGE_MEMBERS = "tenancy.manage_members"
MANAGE_ROLES = "access.manage_roles"
RESET_MFA = "identity.reset_mfa"
ANCHOR = "#account"


def _is_self(actor: Actor, membership: Membership | None) -> bool:
    return (
        membership is not None
        and actor.membership is not None
        and (actor.membership.user_id == membership.user_id)
    )


def may_see_account(actor: Actor, employee: Employee) -> bool:
    """Whoever may see this person among the members (HR, their manager) sees the panel."""
    if employee.membership is None:
        return can(actor, VIEW_MEMBERS)
    return can_for(actor, VIEW_MEMBERS, employee.membership)


def _grantable_roles(actor: Actor, membership: Membership) -> Any:
    return Role.objects.for_actor(actor).exclude(assignments__membership=membership)


def account_context(actor: Actor, employee: Employee) -> dict[str, Any]:
    """The panel's context for the profile; empty when the viewer may not see accounts."""
    if not may_see_account(actor, employee):
        return {}
    account = account_of(employee.membership)
    membership = account.membership
    own = _is_self(actor, membership)
    working = employee.status != EmployeeStatus.LEFT
    manages = membership is not None and can_for(actor, MANAGE_MEMBERS, membership)
    may_invite = can(actor, invitations.PERMISSION) and working
    grant_form = None
    if membership is not None and can(actor, MANAGE_ROLES):
        roles = _grantable_roles(actor, membership)
        grant_form = GrantRoleForm(roles=roles, auto_id="account_%s") if roles.exists() else None
    return {
        "account": account,
        "account_actions": {
            "invite": may_invite and account.state == NONE,
            "resend": may_invite and account.state == INVITED,
            "revoke_invitation": may_invite and account.invitation is not None,
            "deactivate": manages and not own and account.state != DEACTIVATED,
            "reactivate": manages and account.state == DEACTIVATED,
            "reset_mfa": can(actor, RESET_MFA) and not own and account.mfa_on,
            "manage_roles": membership is not None and can(actor, MANAGE_ROLES),
        },
        "account_grant_form": grant_form,
        "account_needs_email": account.state == NONE and not employee.work_email,
    }


# --- the actions ----------------------------------------------------------------------


def _profile_url(employee: Employee) -> str:
    return reverse("people:detail", args=[employee.pk]) + ANCHOR


def _login_of(request: HttpRequest, pk: int, permission: str) -> tuple[Employee, Membership]:
    """The employee (404 unless reachable) and their login (404 without one); 403 when the
    viewer lacks `permission` over that login."""
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    if employee.membership_id is None:
        raise Http404("No login")
    membership = (
        Membership.objects.for_actor(actor)
        .select_related("user", "tenant")
        .get(pk=int(employee.membership_id))
    )
    if not can_for(actor, permission, membership):
        raise PermissionDenied
    return employee, membership


def _confirm(
    request: HttpRequest,
    employee: Employee,
    *,
    title: str,
    text: str,
    button: str,
    danger: bool = True,
) -> HttpResponse:
    return render(
        request,
        "people/hr/account_confirm.html",
        {
            "employee": employee,
            "title": title,
            "text": text,
            "button": button,
            "danger": danger,
            "back": _profile_url(employee),
        },
    )


def _done(
    request: HttpRequest,
    employee: Employee,
    error: ValidationError | PermissionDenied | None,
    text: str,
) -> HttpResponse:
    if error is not None:
        messages.error(request, service_error_text(error))
    else:
        messages.success(request, text)
    return redirect(_profile_url(employee))


def _only_get_or_post(request: HttpRequest) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    return None


@never_cache
@member_required()
def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, MANAGE_MEMBERS)
    if refused := _only_get_or_post(request):
        return refused
    name = employee.display_name
    if request.method != "POST":
        return _confirm(
            request,
            employee,
            title=_("Deactivate the login of %(name)s?") % {"name": name},
            text=_(
                "Deactivating ends every session of this person at once and revokes the "
                "tokens of the apps they connected. Their HR file is kept."
            ),
            button=_("Deactivate access"),
        )
    try:
        deactivate_member(_actor(request), membership)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    text = _("%(member)s no longer has access; their sessions have ended.")
    return _done(request, employee, None, text % {"member": name})


@member_required()
def reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, MANAGE_MEMBERS)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        reactivate_member(_actor(request), membership)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    text = _("%(member)s has access again.")
    return _done(request, employee, None, text % {"member": employee.display_name})


@never_cache
@member_required()
def reset_mfa(request: HttpRequest, pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, RESET_MFA)
    if refused := _only_get_or_post(request):
        return refused
    here = reverse("people:account_reset_mfa", args=[employee.pk])
    if needs_step_up(request):
        return step_up_redirect(request, here)
    if request.method != "POST":
        return _confirm(
            request,
            employee,
            title=_("Reset the two-factor authentication of %(name)s?")
            % {"name": employee.display_name},
            text=_(
                "If this person lost their authenticator app, passkeys and recovery codes, "
                "reset their two-factor authentication: all of them stop working, in every "
                "company of their account, and they are e-mailed. They sign in with their "
                "password and set it up again."
            ),
            button=_("Reset two-factor authentication"),
        )
    try:
        reset_member_mfa(_actor(request), membership)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    text = _("The two-factor authentication of %(member)s is reset and they were e-mailed.")
    return _done(request, employee, None, text % {"member": employee.display_name})


@never_cache
@member_required()
def revoke_invitation(request: HttpRequest, pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, invitations.PERMISSION)
    if refused := _only_get_or_post(request):
        return refused
    invitation = account_of(membership).invitation
    if invitation is None:
        messages.info(request, _("This invitation was already used or revoked."))
        return redirect(_profile_url(employee))
    email = membership.user.email
    if request.method != "POST":
        return _confirm(
            request,
            employee,
            title=_("Revoke the invitation of %(name)s?") % {"name": employee.display_name},
            text=_("The link e-mailed to %(email)s stops working. You can invite again later.")
            % {"email": email},
            button=_("Revoke the invitation"),
        )
    try:
        invitations.revoke(_actor(request), invitation)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    text = _("The invitation of %(email)s is revoked: its link no longer works.")
    return _done(request, employee, None, text % {"email": email})


@member_required()
def grant(request: HttpRequest, pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, MANAGE_ROLES)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if needs_step_up(request):
        return step_up_redirect(request, _profile_url(employee))
    actor = _actor(request)
    form = GrantRoleForm(request.POST, roles=_grantable_roles(actor, membership))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(_profile_url(employee))
    role = form.cleaned_data["role"]
    try:
        grant_role(actor, membership, role)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    text = _("%(member)s now has the role %(role)s.")
    return _done(request, employee, None, text % {"member": employee.display_name, "role": role})


@never_cache
@member_required()
def revoke(request: HttpRequest, pk: int, role_pk: int) -> HttpResponse:
    employee, membership = _login_of(request, pk, MANAGE_ROLES)
    role: Role = Role.objects.access_by_id(_actor(request), role_pk)
    if refused := _only_get_or_post(request):
        return refused
    names = {"member": employee.display_name, "role": role.name}
    if request.method != "POST":
        return _confirm(
            request,
            employee,
            title=_("Revoke the role %(role)s of %(member)s?") % names,
            text=_("They lose what the role lets them do at their next page."),
            button=_("Revoke the role"),
        )
    try:
        revoke_role(_actor(request), membership, role)
    except (ValidationError, PermissionDenied) as error:
        return _done(request, employee, error, "")
    return _done(request, employee, None, _("%(member)s no longer has the role %(role)s.") % names)
