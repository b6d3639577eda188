"""Pages reached from links Kluis e-mails: the unblock link of a blocked account and the
invitation link that sets a new member's first password (or signs them in through their
company's single sign-on)."""

from __future__ import annotations

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kluis.identity import brute_force, invitations, languages, responses
from kluis.identity.models import Invitation
from kluis.identity.sso import matching
from kluis.identity.sso.policy import password_refused
from kluis.identity.sso.signin_views import start as start_sso
from kluis.operations.client_ip import client_ip


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice is also remembered as the
    language their e-mails are written in (kluis/identity/languages.py)."""
    response = i18n.set_language(request)
    if request.user.is_authenticated:
        languages.remember(request.user, str(request.POST.get("language", "")))
    return response


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


Opened = tuple[Invitation, None] | tuple[None, HttpResponse]


def _open(request: HttpRequest, token: str) -> Opened:
    """The pending invitation the link names, or the page that says why not. Only for a
    browser where nobody is signed in. A token no one was sent counts as a failed attempt
    of the address, which is throttled like failed sign-ins."""
    if request.user.is_authenticated:
        # Someone is signed in in this browser (HR trying the link, or another person):
        # accepting would sign them out and in as the invitee. Ask them to sign out first;
        # the link is not looked up, so nothing changes and nothing is counted.
        return None, render(request, "account/invitation.html", {"signed_in": True}, status=409)
    ip = client_ip(request.META)
    try:
        brute_force.check_address(ip)
    except brute_force.AddressThrottled as refused:
        return None, responses.throttled(request, refused.wait)
    found = invitations.find(token)
    if found is None:
        brute_force.failed_address(ip)
        return None, render(request, "account/invitation.html", {"closed": True}, status=404)
    if not invitations.usable(found) or invitations.has_login(found.membership.user):
        return None, render(request, "account/invitation.html", {"closed": True}, status=410)
    return found, None


@never_cache
@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the password form, and the company's single sign-on when it has one (a
    mail scanner's visit changes nothing); POST sets the password and signs the person in.
    A company that forbids password sign-in offers its single sign-on only."""
    found, page = _open(request, token)
    if found is None:
        assert page is not None
        return page
    user = found.membership.user
    provider = invitations.sso_provider_for(found)
    password_allowed = not password_refused(user.email)
    form = SetPasswordForm(user, request.POST if request.method == "POST" else None)
    if password_allowed and form.is_valid():
        try:
            user = invitations.accept(
                token, form.cleaned_data["new_password1"], ip=client_ip(request.META)
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return perform_login(
                request, user, redirect_url=resolve_url(settings.LOGIN_REDIRECT_URL)
            )
    context = {
        "form": form if password_allowed else None,
        "invitation": found,
        "company": found.membership.tenant,
        "provider": provider,
        "token": token,
    }
    return render(request, "account/invitation.html", context, status=400 if form.is_bound else 200)


@never_cache
@require_POST
def invitation_sso(request: HttpRequest, token: str) -> HttpResponse:
    """Accept the invitation by signing in through the company's single sign-on: the
    account is linked to the provider's identity by its verified e-mail address at the
    callback, which closes the link (kluis/identity/sso/matching.py)."""
    found, page = _open(request, token)
    if found is None:
        assert page is not None
        return page
    provider = invitations.sso_provider_for(found)
    if provider is None:
        return render(request, "account/invitation.html", {"closed": True}, status=404)
    email = found.membership.user.email
    refused = matching.guard(request, email)
    if refused is not None:
        return refused
    return start_sso(request, provider, email)
