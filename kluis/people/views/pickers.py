"""The search behind the employee picker (kluis/people/forms/pickers.py): matching employees
of the viewer's own company, as buttons htmx swaps under the search box, and the picker
again with one of them chosen. Only people who may edit contracts use it."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.people.forms.pickers import (
    MAX_MATCHES,
    EmployeePickerWidget,
    search_employees,
)
from kluis.people.models import Employee, EmployeeStatus
from kluis.people.permissions import scope_of
from kluis.people.views._common import _actor

NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,60}$")


def pickable(request: HttpRequest) -> QuerySet[Employee]:
    """Who can be chosen: the viewer's company's employees who have not left."""
    return Employee.objects.for_actor(_actor(request)).exclude(status=EmployeeStatus.LEFT)


def _names(request: HttpRequest) -> tuple[str, str]:
    if scope_of(_actor(request), "people.edit") not in (Scope.COMPANY, Scope.TEAM):
        raise PermissionDenied  # only who edits others' contracts picks a manager
    field, box = request.GET.get("field", ""), request.GET.get("box", "")
    if not NAME.match(field) or not NAME.match(box):
        raise Http404("No such field")
    return field, box


@never_cache
@member_required("people.edit")
def employee_search(request: HttpRequest) -> HttpResponse:
    field, box = _names(request)
    text = request.GET.get(f"{field}_q", "")
    found = list(
        search_employees(pickable(request), text).only(
            "pk", "first_name", "last_name", "preferred_name", "employee_number", "job_title"
        )[: MAX_MATCHES + 1]
    )
    return render(
        request,
        "people/widgets/employee_options.html",
        {
            "field": field,
            "box": box,
            "text": text.strip(),
            "matches": found[:MAX_MATCHES],
            "more": len(found) > MAX_MATCHES,
        },
    )


@never_cache
@member_required("people.edit")
def employee_pick(request: HttpRequest) -> HttpResponse:
    field, box = _names(request)
    chosen = pickable(request).filter(pk=request.GET.get("id") or 0).first()
    if chosen is None:
        raise Http404("No such employee")
    widget = EmployeePickerWidget()
    widget.search_url = reverse("people:employee_search")
    return HttpResponse(widget.render(field, chosen, attrs={"id": box, "autofocus": True}))
