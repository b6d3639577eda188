"""The page of the unblock link e-mailed when an account is blocked from an address."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kluis.identity import brute_force


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
