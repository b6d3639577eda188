"""HR invites employees to sign in: one from the profile, many from the list (the rows
ticked, or everyone without a login, after a page that lists who). Thin: look up, call the
service, say what happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kluis.access.decorators import member_required
from kluis.identity import invitations as links
from kluis.people import selectors
from kluis.people.services import invitations
from kluis.people.views._common import _actor, _detail_url

MAX_BULK = 1000


def _origin(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


@require_POST
@member_required(invitations.PERMISSION)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    employee = selectors.employee_for(actor, pk)
    again = invitations.login_state(employee) == invitations.INVITED
    try:
        invitations.invite_employee(actor, employee, _origin(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = (
            _("A new invitation was e-mailed to %(name)s; the earlier link no longer works.")
            if again
            else _("An invitation was e-mailed to %(name)s. The link works for %(days)s days.")
        )
        messages.success(
            request, text % {"name": employee.display_name, "days": links.lifetime().days}
        )
    return redirect(_detail_url(employee) + "#account")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@member_required(invitations.PERMISSION)
def invite_many(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    employees = selectors.employees_for(actor)
    if request.method != "POST":  # "Invite everyone without a login": who, before sending
        chosen = invitations.without_login(employees).order_by("last_name", "first_name", "pk")
        return render(
            request,
            "people/hr/invite_confirm.html",
            {"chosen": chosen[:MAX_BULK], "count": chosen.count(), "limit": MAX_BULK},
        )
    if request.POST.get("everyone") == "1":
        chosen = invitations.without_login(employees)
    else:
        ids = [int(v) for v in request.POST.getlist("employee") if v.isdigit()][:MAX_BULK]
        chosen = employees.filter(pk__in=ids)
    result = invitations.invite_employees(actor, chosen[:MAX_BULK], _origin(request))
    if result.invited:
        count = len(result.invited)
        messages.success(
            request,
            ngettext(
                "An invitation was e-mailed to %(count)s person.",
                "Invitations were e-mailed to %(count)s people.",
                count,
            )
            % {"count": count},
        )
    for employee, reason in result.skipped[:10]:
        messages.warning(
            request,
            _("Not invited: %(name)s (%(reason)s)")
            % {"name": employee.display_name, "reason": reason},
        )
    if len(result.skipped) > 10:
        messages.warning(
            request,
            _("%(count)s more people were not invited.") % {"count": len(result.skipped) - 10},
        )
    if not result.invited and not result.skipped:
        messages.info(request, _("Nobody to invite: choose people without a login."))
    return redirect("people:list")
