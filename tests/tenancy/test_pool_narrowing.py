"""Row-level security behind psycopg's connection pool (KLUIS_DATABASE_POOL).

A request narrows its connection to its company with a session setting; with a pool the
same server connection then serves other requests, of other companies, unauthenticated
ones and the worker. Many requests of two companies' members and of visitors, interleaved
over a pool of two connections, each see only what they may: a member only their own
company's rows (the database itself hides the rest), an API client only its company's, a
visitor's connection is never left narrowed, also after a request that failed half-way.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection, connections
from django.db.backends.signals import connection_created
from django.template.context import Context
from django.test import Client
from django.test.signals import template_rendered

from kluis.people.models import Employee
from kluis.settings_database import pool_options
from kluis.tenancy import rls
from kluis.tenancy.models import Membership
from tests.api_client import make_key

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL pool"),
    pytest.mark.django_db(transaction=True),  # requests on other threads see committed rows
]

POOL_SIZE = 2


class Crash(Exception):
    """A request failing half-way, after its connection was narrowed."""


@pytest.fixture
def pool_of() -> Iterator[Callable[[int], None]]:
    """Puts the default database behind a pool of at most `size` connections, as
    KLUIS_DATABASE_POOL=1:<size> makes it (the same options, from the settings module)."""
    import psycopg_pool  # noqa: F401  (KLUIS_DATABASE_POOL needs it: missing fails, not skips)

    settings_dict = connection.settings_dict
    before = (settings_dict["CONN_MAX_AGE"], settings_dict["OPTIONS"])

    def pool(size: int) -> None:
        connections.close_all()
        settings_dict["CONN_MAX_AGE"] = 0
        # Eight threads queue for two connections: wait longer than a node would (a busy
        # test machine), the narrowing is what is tested here.
        options = {**pool_options(1, size), "timeout": 60}
        settings_dict["OPTIONS"] = {**before[1], "pool": options}

    try:
        yield pool
    finally:
        connections.close_all()
        connection.close_pool()
        settings_dict["CONN_MAX_AGE"], settings_dict["OPTIONS"] = before


PROBE = "SELECT coalesce(current_setting(%s, true), ''), pg_backend_pid()"


def _tenant_setting() -> tuple[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(PROBE, [rls.SETTING])
        setting, pid = cursor.fetchone()
    return str(setting), int(pid)


def test_the_pool_widens_a_connection_given_back_narrowed(demo, pool_of):
    """However a request ended: narrowed and returned without widening, the next borrower
    of the very same server connection (a pool of one) finds it wide."""
    pool_of(1)
    connection.ensure_connection()
    rls.narrow_to(demo["demo-bv"].pk)
    narrowed, first_pid = _tenant_setting()
    assert narrowed == str(demo["demo-bv"].pk)
    assert Employee.objects.filter(tenant=demo["other-nv"]).count() == 0
    connection.close()  # back to the pool, still narrowed (a request that died)
    for _ in range(3):  # the pool hands out its idle connection again
        setting, pid = _tenant_setting()
        assert setting == ""
        connection.close()
        assert pid == first_pid
    assert Employee.objects.filter(tenant=demo["other-nv"]).count() > 0


def test_interleaved_requests_of_two_companies_and_visitors_over_a_small_pool(demo, pool_of):
    pool_of(POOL_SIZE)
    totals = {tenant.pk: Employee.objects.filter(tenant=tenant).count() for tenant in demo.values()}
    everyone = sum(totals.values())
    assert all(totals.values())
    connection.close()

    local = threading.local()
    seen: list[tuple[str, str, int]] = []  # (whose request, its setting, employees it sees)
    checkouts: list[tuple[str, int]] = []
    lock = threading.Lock()

    def on_checkout(sender: Any, connection: Any, **kwargs: Any) -> None:
        # Every borrow, before the request does anything: never narrowed by a former one.
        with connection.cursor() as cursor:
            cursor.execute(PROBE, [rls.SETTING])
            setting, pid = cursor.fetchone()
        with lock:
            checkouts.append((str(setting), int(pid)))

    def in_request(sender: Any, template: Any, context: Context, **kwargs: Any) -> None:
        # While the page renders: what the database itself shows this request.
        if getattr(local, "probed", True):
            return
        local.probed = True
        setting, _pid = _tenant_setting()
        visible = Employee.objects.count()  # no tenant filter: only row-level security
        with lock:
            seen.append((local.who, setting, visible))
        if local.crash:
            raise Crash("half-way")

    def member_of(slug: str, email: str) -> Membership:
        return Membership.objects.select_related("user", "tenant").get(
            tenant__slug=slug, user__email=email
        )

    people = [
        member_of("demo-bv", "hr@demo-bv.test"),
        member_of("demo-bv", "member1@demo-bv.test"),
        member_of("other-nv", "hr@other-nv.test"),
        member_of("other-nv", "member1@other-nv.test"),
    ]
    # API clients: their key's lookup narrows in the statement that finds the key.
    keys = {slug: make_key(slug, ["employees:read"]) for slug in demo}
    own_ids = {
        slug: set(Employee.objects.filter(tenant=tenant).values_list("pk", flat=True))
        for slug, tenant in demo.items()
    }
    connection.close()
    failures: list[BaseException] = []
    api_pages: list[tuple[str, set[int]]] = []

    def api_client(slug: str) -> None:
        try:
            # The test client re-raises any thread's request exception (a global signal):
            # this one's own failures show as a status code instead.
            client = Client(raise_request_exception=False)
            for _turn in range(12):
                response = client.get(
                    "/api/v1/employees/", headers={"authorization": f"Bearer {keys[slug]}"}
                )
                assert response.status_code == 200, response.status_code
                ids = {row["id"] for row in json.loads(response.content)["results"]}
                with lock:
                    api_pages.append((slug, ids))
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    def run(index: int, membership: Membership | None) -> None:
        try:
            client = Client(raise_request_exception=False)
            if membership is not None:
                client.force_login(membership.user)
                session = client.session
                session["kluis_tenant_id"] = membership.tenant_id
                session.save()
            local.who = str(membership.tenant_id) if membership else ""
            for turn in range(12):
                local.probed = False
                local.crash = turn % 4 == index % 4  # every fourth request fails half-way
                path = "/people/" if membership is not None else "/accounts/login/"
                response = client.get(path)
                assert response.status_code in (200, 302, 500), response.status_code
                if local.crash and local.probed:
                    assert response.status_code == 500
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    connection_created.connect(on_checkout, dispatch_uid="test-pool-checkout")
    template_rendered.connect(in_request, dispatch_uid="test-pool-render")
    try:
        threads = [
            threading.Thread(target=run, args=(i, person))
            for i, person in enumerate([*people, None, None])
        ] + [threading.Thread(target=api_client, args=(slug,)) for slug in keys]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        connection_created.disconnect(dispatch_uid="test-pool-checkout")
        template_rendered.disconnect(dispatch_uid="test-pool-render")
    assert not failures, failures
    assert not any(thread.is_alive() for thread in threads)

    members = [row for row in seen if row[0]]
    visitors = [row for row in seen if not row[0]]
    assert len(members) >= 30 and len(visitors) >= 12, (len(members), len(visitors))
    for who, setting, visible in members:
        assert setting == who and visible == totals[int(who)], (who, setting, visible)
    for _who, setting, visible in visitors:
        assert setting == "" and visible == everyone, (setting, visible)
    assert len(api_pages) == 12 * len(keys)
    for slug, ids in api_pages:
        assert ids and ids <= own_ids[slug], slug
    assert checkouts and {setting for setting, _pid in checkouts} == {""}
    assert len({pid for _setting, pid in checkouts}) <= POOL_SIZE
