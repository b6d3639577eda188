"""The manager's team and the org chart."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.people import selectors
from kluis.people.models import Employee, EmployeeStatus
from kluis.people.permissions import actor_employee_id, scope_of, scoped
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


def org_tree(actor: Actor) -> list[dict[str, Any]]:
    """The people in the actor's `people.view` scope as a flat list of tree steps ("open",
    "node", "close"), built from one query; a template renders it without recursion."""
    rows = list(
        scoped(actor, "people.view", Employee.objects.all())
        .exclude(status=EmployeeStatus.LEFT)
        .order_by("last_name", "first_name", "pk")
        .values("pk", "first_name", "last_name", "preferred_name", "job_title", "manager_id")
    )
    by_pk = {row["pk"]: row for row in rows}
    children: dict[int | None, list[int]] = {}
    for row in rows:
        parent = row["manager_id"] if row["manager_id"] in by_pk else None
        if parent == row["pk"]:
            parent = None
        children.setdefault(parent, []).append(row["pk"])
    steps: list[dict[str, Any]] = []
    seen: set[int] = set()
    own = actor_employee_id(actor)

    def walk(roots: list[int]) -> None:
        # Iterative depth-first walk: (pk, entering?) pairs on a stack.
        stack: list[tuple[int, bool]] = [(pk, True) for pk in reversed(roots)]
        while stack:
            pk, entering = stack.pop()
            if not entering:
                steps.append({"kind": "close"})
                continue
            seen.add(pk)
            row = by_pk[pk]
            kids = [k for k in children.get(pk, []) if k not in seen]
            steps.append(
                {
                    "kind": "node",
                    "pk": pk,
                    "name": " ".join(
                        part
                        for part in (row["preferred_name"] or row["first_name"], row["last_name"])
                        if part
                    ),
                    "job_title": row["job_title"],
                    "url": detail_url(pk),
                    "is_me": pk == own,
                    "has_children": bool(kids),
                }
            )
            if kids:
                stack.append((pk, False))
                stack.extend((kid, True) for kid in reversed(kids))
            else:
                steps.append({"kind": "leaf_end"})

    walk(children.get(None, []))
    # People in a loop of managers (A reports to B, B to A) have no root: start them anyway.
    rest = [row["pk"] for row in rows if row["pk"] not in seen]
    while rest:
        walk([rest[0]])
        rest = [pk for pk in rest if pk not in seen]
    return steps


@member_required("people.view")
def org_chart(request: HttpRequest) -> HttpResponse:
    steps = org_tree(_actor(request))
    count = sum(1 for step in steps if step["kind"] == "node")
    return render(request, "people/self/org_chart.html", {"steps": steps, "count": count})
