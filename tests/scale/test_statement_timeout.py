"""Statement timeouts on PostgreSQL: a web request's statement is cancelled after
KLUIS_DATABASE_STATEMENT_TIMEOUT seconds (here one long lock wait, as a runaway query or a
migration holding a table would cause), the person gets the plain "something went wrong"
answer without internals, and the same connection serves the next request; the worker and
the command line run without a limit (migrations are never cut off)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from django.db import connection, connections
from django.test import Client, override_settings
from django.test.signals import template_rendered

from kluis.people.models import Employee
from tests.api_client import PROBLEM_JSON, make_key
from tests.conftest import member

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's statement_timeout"
)

INTERNALS = ("statement timeout", "canceling", "QueryCanceled", "people_employee", "Traceback")


@pytest.fixture
def table_locked() -> Iterator[None]:
    """Another session holds the employees' table (ACCESS EXCLUSIVE, as a long ALTER
    TABLE would) until the test is done with it."""
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        other.execute("SET lock_timeout = '5s'")
        other.execute(f"LOCK TABLE {Employee._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def _statement_timeout() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        return str(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)  # the lock holder must see the committed demo
@override_settings(DATABASE_STATEMENT_TIMEOUT=1)
def test_a_web_requests_long_statement_is_cancelled_cleanly_and_the_connection_serves_on(
    demo, table_locked
):
    client = Client(raise_request_exception=False)
    client.force_login(member("hr@demo-bv.test", "demo-bv").user)
    started = time.monotonic()
    response = client.get("/people/")
    took = time.monotonic() - started
    assert response.status_code == 500
    assert 1 <= took < 5, took
    body = response.content.decode()
    assert not any(word in body for word in INTERNALS), body[:500]

    key = make_key("demo-bv", ["employees:read"])
    answer = Client(raise_request_exception=False).get(
        "/api/v1/employees/", headers={"authorization": f"Bearer {key}"}
    )
    assert answer.status_code == 500
    assert answer["Content-Type"] == PROBLEM_JSON
    problem = json.loads(answer.content)
    assert problem["status"] == 500
    assert not any(word in answer.content.decode() for word in INTERNALS), problem


@pytest.mark.django_db(transaction=True)
@override_settings(DATABASE_STATEMENT_TIMEOUT=1)
def test_after_a_cancelled_statement_the_same_connection_answers_the_next_request(demo):
    client = Client(raise_request_exception=False)
    client.force_login(member("hr@demo-bv.test", "demo-bv").user)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        other.execute(f"LOCK TABLE {Employee._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        assert client.get("/people/").status_code == 500
        other.rollback()
    assert client.get("/people/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid  # not a new connection: the same one serves on
    assert _statement_timeout() == "1s"


def test_web_requests_get_thirty_seconds_and_everything_else_none(login, demo):
    """The defaults: 30 s while serving a request (seen from inside one), no limit for
    the worker and the command line (a connection opened outside any request)."""
    seen: list[str] = []

    def during(sender: Any, **kwargs: Any) -> None:
        if not seen:
            seen.append(_statement_timeout())

    template_rendered.connect(during, dispatch_uid="test-statement-timeout")
    try:
        assert login("hr@demo-bv.test", "demo-bv").get("/people/").status_code == 200
    finally:
        template_rendered.disconnect(dispatch_uid="test-statement-timeout")
    assert seen == ["30s"]

    outside: list[str] = []

    def worker() -> None:  # a thread of its own: its own connection, as the worker's
        try:
            outside.append(_statement_timeout())
        finally:
            connections.close_all()

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=30)
    assert outside == ["0"]
