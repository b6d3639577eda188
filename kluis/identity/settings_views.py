"""The owner's Sign-in settings page (/settings/sign-in/) and the sign-out buttons of the
Sessions page (/accounts/sessions/): each asks for confirmation first."""

from __future__ import annotations

from allauth.usersessions.views import list_usersessions
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors
from kluis.access.models import Role
from kluis.audit.services import record
from kluis.identity import policy as policies
from kluis.identity import sessions
from kluis.identity.models import User
from kluis.identity.policy_forms import SignInPolicyForm
from kluis.identity.policy_service import PERMISSION, change_policy
from kluis.identity.stepup import require_recent_factor
from kluis.tenancy.selectors import memberships_of_user


@member_required(PERMISSION)
@require_recent_factor
def sign_in_settings(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    tenant = actor.tenant
    assert tenant is not None
    roles = Role.objects.for_actor(actor).order_by("name")
    current = policies.load_policy(tenant)
    form = SignInPolicyForm(
        request.POST if request.method == "POST" else None,
        roles=roles,
        initial=SignInPolicyForm.initial_of(current),
    )
    if request.method == "POST" and form.is_valid():
        try:
            change_policy(actor, tenant, **form.service_arguments())
        except (PermissionDenied, ValidationError) as error:
            add_service_errors(form, error, fields=SignInPolicyForm.SERVICE_FIELDS)
        else:
            messages.success(request, _("The sign-in settings were saved."))
            return redirect("signin_settings")
    return render(request, "identity/sign_in_settings.html", {"form": form, "policy": current})


def _audit_everywhere(request: HttpRequest, user: User, ended: int) -> None:
    with transaction.atomic():
        for membership in memberships_of_user(user.pk):
            actor = Actor.for_request(request)
            actor.tenant, actor.membership = membership.tenant, membership
            record(
                actor,
                "signin.signed_out_everywhere",
                tenant=membership.tenant,
                object_type="identity.user",
                object_id=user.pk,
                object_repr=user.email,
                changes={"sessions": ended},
            )


@require_POST
@login_required
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """End every session of the person, this one included."""
    user = request.user
    assert isinstance(user, User)
    page = confirm_first(
        request,
        title=_("Sign out everywhere?"),
        message=_(
            "Every session of yours ends, this one included: on each device you must sign in again."
        ),
        button=_("Sign out everywhere"),
        cancel=reverse("usersessions_list"),
    )
    if page is not None:
        return page
    ended = sessions.end_all_sessions(user)
    _audit_everywhere(request, user, ended)
    logout(request)
    messages.success(request, _("You are signed out everywhere."))
    return redirect("account_login")


@require_http_methods(["GET", "POST"])
@login_required
def sessions_page(request: HttpRequest) -> HttpResponse:
    """allauth's Sessions page, whose "Sign out other sessions" asks first: a POST without
    `confirmed=1` gets the question; the confirmed one goes to allauth, which ends every
    other listed session of the person and keeps this one."""
    if request.method == "POST":
        page = confirm_first(
            request,
            title=_("Sign out your other sessions?"),
            message=_(
                "Every session of yours except this one ends: on those devices you must "
                "sign in again."
            ),
            button=_("Sign out other sessions"),
            cancel=reverse("usersessions_list"),
        )
        if page is not None:
            return page
    return list_usersessions(request)


@require_POST
@login_required
def end_session(request: HttpRequest, pk: int) -> HttpResponse:
    """End one of the person's sessions (this one: sign out)."""
    user = request.user
    assert isinstance(user, User)
    session = sessions.session_of(user, pk)
    if session is None:
        raise Http404("No such session")
    current = session.session_key == request.session.session_key
    page = confirm_first(
        request,
        title=_("End this session?") if current else _("End the session?"),
        message=(
            _("This is the session you are using: you are signed out.")
            if current
            else _("The browser or app using it is signed out at its next request.")
        ),
        button=_("End session"),
        cancel=reverse("usersessions_list"),
    )
    if page is not None:
        return page
    sessions.end_session(session)
    if current:
        logout(request)
        return redirect("account_login")
    messages.success(request, _("The session was ended."))
    return redirect("usersessions_list")
