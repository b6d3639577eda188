"""Pages reached from links Kluis e-mails: the unblock link of a blocked account and the
invitation link that sets a new member's first password."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from kluis.identity import brute_force, invitations, responses
from kluis.operations.client_ip import client_ip


@require_http_methods(["GET", "POST"])
def unblock(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link lifts (a mail scanner following it lifts nothing); POST
    lifts it."""
    ip = brute_force.blocked_address(token)
    if ip is None:
        return render(request, "account/unblock.html", {"invalid": True}, status=400)
    if request.method == "POST":
        brute_force.unblock_by_token(token)
        messages.success(request, _("The block is lifted: you can sign in again."))
        return redirect("account_login")
    return render(request, "account/unblock.html", {"ip": ip})


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the password form (a mail scanner's visit changes nothing); POST sets the
    password and signs the person in. Only for a browser where nobody is signed in. A token
    no one was sent counts as a failed attempt of the address, which is throttled like
    failed sign-ins."""
    if request.user.is_authenticated:
        # Someone is signed in in this browser (HR trying the link, or another person):
        # accepting would sign them out and in as the invitee. Ask them to sign out first;
        # the link is not looked up, so nothing changes and nothing is counted.
        return render(request, "account/invitation.html", {"signed_in": True}, status=409)
    ip = client_ip(request.META)
    try:
        brute_force.check_address(ip)
    except brute_force.AddressThrottled as refused:
        return responses.throttled(request, refused.wait)
    found = invitations.find(token)
    if found is None:
        brute_force.failed_address(ip)
        return render(request, "account/invitation.html", {"closed": True}, status=404)
    if not invitations.usable(found) or invitations.has_login(found.membership.user):
        return render(request, "account/invitation.html", {"closed": True}, status=410)
    user = found.membership.user
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            user = invitations.accept(token, form.cleaned_data["new_password1"], ip=ip)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return perform_login(
                request, user, redirect_url=resolve_url(settings.LOGIN_REDIRECT_URL)
            )
    return render(
        request,
        "account/invitation.html",
        {"form": form, "invitation": found, "company": found.membership.tenant},
        status=400 if form.is_bound else 200,
    )
