from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.decorators import member_required
from kluis.access.operators import is_operator
from kluis.tenancy.middleware import SESSION_KEY
from kluis.timeoff.selectors_dashboard import away
from kluis.web.dashboard import build


def dashboard(request: HttpRequest) -> HttpResponseBase:
    """What needs the signed-in person, by role (kluis/web/dashboard.py); a platform
    operator who works for no company is taken to the operator's pages."""
    if (
        request.user.is_authenticated
        and getattr(request, "membership", None) is None
        and is_operator(request.user)
    ):
        return redirect("operator-home")
    return _company_dashboard(request)


@member_required()
def _company_dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "web/dashboard.html", {"board": build(actor)})


@member_required("timeoff.view_calendar")
def dashboard_away(request: HttpRequest) -> HttpResponse:
    """Everyone the dashboard counts as away today and this week."""
    actor = request.actor  # type: ignore[attr-defined]
    return render(request, "web/dashboard_away.html", {"away": away(actor, timezone.localdate())})


@require_POST
@member_required()
def switch_company(request: HttpRequest) -> HttpResponse:
    """Work in another company this person belongs to; anything else is refused."""
    try:
        tenant_id = int(request.POST.get("tenant", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Choose a company."))
    target = next((m for m in request.memberships if m.tenant_id == tenant_id), None)  # type: ignore[attr-defined]
    if target is None:
        return HttpResponseBadRequest(_("You are not a member of that company."))
    request.session[SESSION_KEY] = target.tenant_id
    request.session.cycle_key()
    messages.success(request, _("You are now working in %(company)s.") % {"company": target.tenant})
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=True):
        next_url = ""
    return redirect(next_url or "web:dashboard")
