"""The org chart as a chart: a collapsible tree of boxes, search, scope per role, and a
company of 2,000 people rendered fast with a flat number of queries."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kluis.people.models import Employee
from tests.conftest import member

URL = "/people/org-chart/"


def employee(email: str) -> Employee:
    return Employee.objects.get(membership=member(email))


class _Chart(HTMLParser):
    """Each <li data-employee>: its manager in the tree, whether the <details> holding it
    is open, whether it is marked as a match and whether its name is a link."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, int | None, bool]] = []  # (tag, employee, open)
        self.parent: dict[int, int | None] = {}
        self.visible: dict[int, bool] = {}
        self.matches: set[int] = set()
        self.linked: set[int] = set()
        self.current: int | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "li" and values.get("data-employee"):
            pk = int(values["data-employee"] or 0)
            self.parent[pk] = next((p for _t, p, _o in reversed(self.stack) if p), None)
            self.visible[pk] = all(o for t, _p, o in self.stack if t == "details")
            self.current = pk
            self.stack.append((tag, pk, True))
        elif tag in ("li", "details", "ul"):
            self.stack.append((tag, None, "open" in values))
        elif tag == "div" and "data-match" in values and self.current is not None:
            self.matches.add(self.current)
        elif tag == "a" and self.current is not None:
            self.linked.add(self.current)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("li", "details", "ul") and self.stack:
            self.stack.pop()
        if tag == "div":
            self.current = None


def chart(html: str) -> _Chart:
    parsed = _Chart()
    parsed.feed(html)
    return parsed


def test_the_tree_nests_people_under_their_managers(demo, login):
    page = chart(login("hr@demo-bv.test").get(URL, secure=True).content.decode())
    owner, hr, manager = (employee(f"{k}@demo-bv.test") for k in ("owner", "hr", "manager"))
    assert page.parent[owner.pk] is None
    assert page.parent[hr.pk] == owner.pk and page.parent[manager.pk] == owner.pk
    for n in (1, 2, 3):
        assert page.parent[employee(f"member{n}@demo-bv.test").pk] == manager.pk
    company = Employee.objects.filter(tenant=demo["demo-bv"]).exclude(status="left")
    assert set(page.parent) == set(company.values_list("pk", flat=True))
    assert page.linked == set(page.parent)  # HR may open every profile


def _deep_chain(tenant, below: Employee, depth: int) -> list[Employee]:  # type: ignore[no-untyped-def]
    chain, boss = [], below
    for level in range(depth):
        boss = Employee.objects.create(
            tenant=tenant,
            employee_number=f"CHAIN-{level}",
            first_name=f"Level{level}",
            last_name="Chain",
            job_title="Lead" if level < depth - 1 else "Deep diver",
            manager=boss,
        )
        chain.append(boss)
    return chain


def test_two_levels_open_and_deeper_ones_collapsed_with_a_count(demo, login):
    owner = employee("owner@demo-bv.test")
    chain = _deep_chain(demo["demo-bv"], owner, 4)
    html = login("hr@demo-bv.test").get(URL, secure=True).content.decode()
    page = chart(html)
    assert page.visible[owner.pk] and page.visible[chain[0].pk] and page.visible[chain[1].pk]
    assert not page.visible[chain[2].pk] and not page.visible[chain[3].pk]
    # The collapsed node says how many report to it, directly and in all.
    assert re.search(r"<summary>1 report \(2 in all\)</summary>", html)
    assert "<details open><summary>" in html


def test_search_opens_the_path_to_the_matches_and_marks_them(demo, login):
    owner = employee("owner@demo-bv.test")
    chain = _deep_chain(demo["demo-bv"], owner, 4)
    response = login("hr@demo-bv.test").get(URL, {"q": "deep diver"}, secure=True)
    page = chart(response.content.decode())
    assert page.matches == {chain[3].pk}
    assert all(page.visible[link.pk] for link in chain)
    assert b'data-testid="org-matches"' in response.content
    assert "1 person matches" in response.content.decode()
    none = login("hr@demo-bv.test").get(URL, {"q": "nobody-by-this-name"}, secure=True)
    assert not chart(none.content.decode()).matches


def test_a_manager_sees_their_team_and_an_employee_themselves(demo, login):
    manager = employee("manager@demo-bv.test")
    page = chart(login("manager@demo-bv.test").get(URL, secure=True).content.decode())
    team = Employee.objects.filter(manager=manager).exclude(status="left")
    assert set(page.parent) == {manager.pk, *team.values_list("pk", flat=True)}
    assert page.parent[manager.pk] is None
    me = employee("employee@demo-bv.test")
    own = chart(login("employee@demo-bv.test").get(URL, secure=True).content.decode())
    assert set(own.parent) == {me.pk}


def test_another_companys_people_are_never_shown(demo, login):
    other = set(Employee.objects.filter(tenant=demo["other-nv"]).values_list("pk", flat=True))
    for email in ("hr@demo-bv.test", "manager@demo-bv.test", "owner@demo-bv.test"):
        page = chart(login(email).get(URL, secure=True).content.decode())
        assert page.parent and not set(page.parent) & other


def _big_company(tenant, root: Employee, size: int) -> None:  # type: ignore[no-untyped-def]
    """`size` people under `root`, seven reports per manager, in a handful of statements."""
    made: list[Employee] = []
    for start in range(0, size, 500):
        batch = [
            Employee(
                tenant=tenant,
                employee_number=f"BIG-{i}",
                first_name=f"Person{i}",
                last_name=f"Big{i:04d}",
                job_title="Engineer",
            )
            for i in range(start, min(size, start + 500))
        ]
        made.extend(Employee.objects.bulk_create(batch))
    for i, person in enumerate(made):
        person.manager_id = root.pk if i < 7 else made[(i - 7) // 7].pk
    Employee.objects.bulk_update(made, ["manager"], batch_size=500)


def test_two_thousand_people_render_fast_with_a_flat_number_of_queries(demo, login):
    client = login("hr@demo-bv.test")
    client.get(URL, secure=True)  # warm caches (session, translations, templates)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, secure=True)
    _big_company(demo["demo-bv"], employee("owner@demo-bv.test"), 2000)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as big:
        response = client.get(URL, {"q": "Big1999"}, secure=True)
    elapsed = time.perf_counter() - started
    page = chart(response.content.decode())
    print(f"org chart of {len(page.parent)} people: {elapsed * 1000:.0f} ms")
    assert len(page.parent) >= 2000
    assert len(page.matches) == 1 and all(page.visible[pk] for pk in page.matches)
    assert len(big.captured_queries) == len(small.captured_queries)
    assert elapsed < 3.0  # generous: the figure measured is in the report
