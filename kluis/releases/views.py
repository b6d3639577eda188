"""What's new: every release's notes for the reader's role, and dismissing the panel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kluis.releases import notes, services
from kluis.releases.whats_new import SESSION_KEY, shown


@login_required
def history(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "releases/history.html",
        {"releases": shown(request, list(notes.releases())), "current": notes.current_version()},
    )


@require_POST
@login_required
def dismiss(request: HttpRequest) -> HttpResponse:
    version = request.POST.get("version", "")
    try:
        row = services.dismiss(request.user, version)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages))
    if row.version == notes.current_version():
        request.session[SESSION_KEY] = row.version
    if request.headers.get("HX-Request") == "true":
        return HttpResponse("")  # htmx swaps the panel out
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
