"""The org chart: who reports to whom, as far as the viewer's `people.view` reaches.

One query reads the people in scope (with their team's name); the tree is built in memory
and handed to the template as a flat list of steps ("open" a node with reports, a "leaf",
"close" a node), so the template renders 2,000 people without recursion. People whose
manager is outside the viewer's scope (or who have none) are roots. The first two levels
are open; below them a node is collapsed, showing how many people report to it, unless a
search opens the path to a match.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kluis.access.actor import Actor
from kluis.people.models import Employee, EmployeeStatus
from kluis.people.permissions import actor_employee_id, scoped
from kluis.people.views.display import detail_url

OPEN_LEVELS = 2  # the roots and their reports are open: three levels of boxes show


@dataclass
class OrgNode:
    pk: int
    name: str
    initials: str
    job_title: str
    team: str
    has_photo: bool
    url: str | None
    photo_url: str | None
    is_me: bool = False
    match: bool = False
    depth: int = 0
    open: bool = False
    reports: int = 0  # directly
    everyone: int = 0  # directly and below
    kids: list[int] = field(default_factory=list)


@dataclass
class OrgChart:
    steps: list[tuple[str, OrgNode | None]]
    count: int
    matches: int


def _initials(first: str, last: str) -> str:
    return "".join(part[:1] for part in (first, last) if part).upper()


def _nodes(actor: Actor) -> dict[int, OrgNode]:
    rows = (
        scoped(actor, "people.view", Employee.objects.all())
        .exclude(status=EmployeeStatus.LEFT)
        .order_by("last_name", "first_name", "pk")
        .values_list(
            "pk", "first_name", "preferred_name", "last_name", "job_title", "team__name",
            "photo", "manager_id",
        )
    )  # fmt: skip
    own = actor_employee_id(actor)
    # One reverse() for all: 2,000 of them would cost more than the rest of the page.
    probe = 987654321
    pattern = detail_url(probe)
    nodes: dict[int, OrgNode] = {}
    managers: dict[int, int | None] = {}
    for pk, first, preferred, last, job_title, team, photo, manager_id in rows:
        shown_first = preferred or first
        url = pattern.replace(str(probe), str(pk)) if pattern else None
        nodes[pk] = OrgNode(
            pk=pk,
            name=f"{shown_first} {last}".strip(),
            initials=_initials(shown_first, last),
            job_title=job_title,
            team=team or "",
            has_photo=bool(photo),
            url=url,
            photo_url=f"{url}photo/" if url and photo else None,
            is_me=pk == own,
        )
        managers[pk] = manager_id
    for person, boss in managers.items():
        if boss is not None and boss in nodes and boss != person:
            nodes[boss].kids.append(person)
    return nodes


def _roots(nodes: dict[int, OrgNode]) -> list[int]:
    reported = {kid for node in nodes.values() for kid in node.kids}
    return [pk for pk in nodes if pk not in reported]


def org_chart(actor: Actor, search: str = "") -> OrgChart:
    nodes = _nodes(actor)
    words = search.lower().split()
    steps: list[tuple[str, OrgNode | None]] = []
    seen: set[int] = set()
    order: list[int] = []  # depth-first, for the counts and the search's paths
    parent: dict[int, int] = {}

    def walk(root: int) -> None:
        stack: list[tuple[int, int, bool]] = [(root, 0, True)]
        while stack:
            pk, depth, entering = stack.pop()
            node = nodes[pk]
            if not entering:
                steps.append(("close", node))
                continue
            seen.add(pk)
            order.append(pk)
            node.depth = depth
            node.kids = [kid for kid in node.kids if kid not in seen]
            node.reports = len(node.kids)
            for kid in node.kids:
                parent[kid] = pk
            if node.kids:
                steps.append(("open", node))
                stack.append((pk, depth, False))
                stack.extend((kid, depth + 1, True) for kid in reversed(node.kids))
            else:
                steps.append(("leaf", node))

    for root in _roots(nodes):
        walk(root)
    # A loop of managers (A reports to B, B to A) has no root: start it anyway.
    for pk in list(nodes):
        if pk not in seen:
            walk(pk)
    for pk in reversed(order):  # children before their manager
        node = nodes[pk]
        node.everyone = node.reports + sum(nodes[kid].everyone for kid in node.kids)
        node.open = node.depth < OPEN_LEVELS and bool(node.kids)
    matches = 0
    if words:
        for node in nodes.values():
            haystack = f"{node.name} {node.job_title} {node.team}".lower()
            if all(word in haystack for word in words):
                node.match = True
                matches += 1
                up = parent.get(node.pk)
                while up is not None:  # open the path from the root to the match
                    nodes[up].open = True
                    up = parent.get(up)
    return OrgChart(steps=steps, count=len(nodes), matches=matches)
