"""The manager's team and the org chart."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.people import selectors, selectors_org
from kluis.people.models import EmployeeStatus
from kluis.people.permissions import actor_employee_id, scope_of
from kluis.people.views import org_markup
from kluis.people.views._common import _actor
from kluis.people.views.display import detail_url, shown

# What a manager sees of their team: contact and job data only, never wages, national
# number, bank account or private address.
TEAM_FIELDS = ["job_title", "department", "team", "work_email", "work_phone", "status"]


# --- the manager's team ------------------------------------------------------------------------


@member_required("people.view")
def my_team(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if scope_of(actor, "people.view") not in (Scope.TEAM, Scope.COMPANY):
        raise PermissionDenied
    own = actor_employee_id(actor)
    people = []
    if own is not None:
        reports = (
            selectors.employees_for(actor)
            .filter(manager_id=own)
            .exclude(status=EmployeeStatus.LEFT)
            .order_by("last_name", "first_name", "pk")
        )
        for person in reports:
            visible = set(selectors.visible_fields(actor, person))
            fields = {
                name: shown(name, getattr(person, name)) for name in TEAM_FIELDS if name in visible
            }
            people.append(
                {
                    "employee": person,
                    "url": detail_url(person.pk),
                    "fields": fields,
                    "phone": person.work_phone if "work_phone" in visible else "",
                }
            )
    return render(
        request, "people/self/my_team.html", {"people": people, "has_file": own is not None}
    )


# --- the org chart -----------------------------------------------------------------------------


@member_required("people.view")
def org_chart(request: HttpRequest) -> HttpResponse:
    """The org chart as far as the viewer's `people.view` reaches (kluis/people/selectors_org.py);
    `q` opens the path to the people it matches and marks them."""
    search = request.GET.get("q", "").strip()[:100]
    chart = selectors_org.org_chart(_actor(request), search)
    return render(
        request,
        "people/self/org_chart.html",
        {
            "tree": org_markup.tree_html(chart.steps),
            "count": chart.count,
            "matches": chart.matches,
            "q": search,
        },
    )
