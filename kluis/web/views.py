from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.authorization import can, grants_of
from kluis.access.decorators import member_required
from kluis.access.models import Role
from kluis.audit.selectors import recent_events
from kluis.tenancy.middleware import SESSION_KEY
from kluis.timeoff.inbox import waiting_count
from kluis.timeoff.team_calendar import away_now


@member_required()
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    membership = request.membership  # type: ignore[attr-defined]
    roles = Role.objects.for_actor(actor).filter(assignments__membership=membership)
    context = {
        "roles": roles,
        "grants": sorted(grants_of(actor).items()),
        "team": membership.reports.filter(is_active=True).select_related("user"),
        "recent_events": (recent_events(actor) if can(actor, "audit.view") else None),
        # The calendar's block: who is away (names and "Away"/"Absent" only), and what
        # waits for the viewer's approval.
        "away": away_now(actor) if can(actor, "timeoff.view_calendar") else None,
        "waiting_for_me": waiting_count(actor) if can(actor, "timeoff.approve") else 0,
    }
    return render(request, "web/dashboard.html", context)


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
