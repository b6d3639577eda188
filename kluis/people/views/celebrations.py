"""My profile: the choice to show one's birthday and work anniversary to colleagues."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.decorators import member_required
from kluis.people.models import Employee
from kluis.people.permissions import actor_employee_id
from kluis.people.services.celebrations import set_show_celebrations


@require_POST
@member_required()
def my_celebrations(request: HttpRequest) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    own = actor_employee_id(actor)
    me = Employee.objects.for_actor(actor).filter(pk=own).first() if own else None
    if me is None:
        raise PermissionDenied
    show = request.POST.get("show_celebrations") == "on"
    set_show_celebrations(actor, me, show)
    if show:
        messages.success(request, _("Colleagues see your birthday and work anniversary."))
    else:
        messages.success(request, _("Colleagues no longer see your birthday or work anniversary."))
    return redirect(reverse("people:my_profile") + "#celebrations")
