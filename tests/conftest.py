"""Shared fixtures: real database, real services, the demo companies."""

from __future__ import annotations

import importlib.util
import os
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("KLUIS_ENV", "test")

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client

from kluis.access.actor import Actor
from kluis.company.demo import load_demo
from kluis.crypto import vault
from kluis.tenancy import rls
from kluis.tenancy.models import Membership, Tenant
from tests.operations.log_check import demo_values

# The API test helpers (the `api` fixture, fresh rate-limit counters for every test) serve
# every app's API tests, so the whole suite loads them; pytest takes plugins from the root
# conftest only.
pytest_plugins = ["tests.api_client"]


# Every row of the test database once the demo is loaded: (table, columns, rows). A
# transactional test (transaction=True, live_server) ends in a flush of every table; the
# `demo` fixture of the tests after it writes these rows back in one transaction instead of
# loading the demo again through the services (94 hires, ~7 s a time, ~0.1 s this way).
_LOADED: list[tuple[str, list[str], list[tuple[object, ...]]]] = []


def _snapshot() -> list[tuple[str, list[str], list[tuple[object, ...]]]]:
    """The tables a flush empties (Django's own list), with their rows."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    out = []
    with rls.unnarrowed(), connection.cursor() as cursor:
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {quote(table)}")
            rows = cursor.fetchall()
            if rows:
                out.append((table, [c[0] for c in cursor.description], rows))
    return out


def _restore(tables: list[tuple[str, list[str], list[tuple[object, ...]]]]) -> None:
    """Write the snapshot back after a flush. The flush's post_migrate made content types
    and permissions anew: they give way to the snapshot's, so every id is the one the demo
    had. Foreign keys are checked at commit, so the order of the tables does not matter."""
    quote = connection.ops.quote_name
    with rls.unnarrowed(), transaction.atomic(), connection.cursor() as cursor:
        for table, columns, rows in tables:
            cursor.execute(f"DELETE FROM {quote(table)}")
            names = ", ".join(quote(c) for c in columns)
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {quote(table)} ({names}) VALUES ({marks})", rows)
    ContentType.objects.clear_cache()
    # Data keys cached from before the flush may be of versions the rows no longer have.
    vault.forget_keys()


def _keep_log_check_values() -> None:
    """With the run's log check on (scripts/run-pytest.sh sets KLUIS_LOG_FILE), hand it the
    demo's values from the demo just loaded, before any test changed it, unless it has them
    for this code already: it would otherwise migrate and load a demo of its own after the
    run (~40 s; the demo is made with fixed seeds, so the values are the same)."""
    if not os.environ.get("KLUIS_LOG_FILE"):
        return
    script = Path(__file__).resolve().parents[1] / "scripts" / "check-logs.py"
    spec = importlib.util.spec_from_file_location("kluis_check_logs", script)
    assert spec is not None and spec.loader is not None
    check_logs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(check_logs)
    cache, values = check_logs._cached_values()
    if values is None:
        check_logs._keep(cache, demo_values())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo companies once per test database; each test then rolls back."""
    with django_db_blocker.unblock():
        load_demo()
        _LOADED[:] = _snapshot()
        _keep_log_check_values()


def reset_to_demo() -> None:
    """Empty every table and write the demo back as it was loaded (what a flush and the
    `demo` fixture do after a transactional test), without the flush's post_migrate."""
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    with rls.unnarrowed():
        connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
    _restore(_LOADED)


@pytest.fixture(scope="module")
def demo_for_module(django_db_setup, django_db_blocker) -> Iterator[dict[str, Tenant]]:  # type: ignore[no-untyped-def]
    """The demo companies for a module-scoped fixture that commits rows the module's tests
    share (made once instead of before every test; each test still rolls back its own
    changes). After the module's last test the database is the demo as loaded again."""
    with django_db_blocker.unblock():
        if _LOADED and not Tenant.objects.exists():
            _restore(_LOADED)
        companies = {t.slug: t for t in Tenant.objects.all()}
    yield companies
    with django_db_blocker.unblock():
        reset_to_demo()


@pytest.fixture
def demo(db: None) -> dict[str, Tenant]:
    """Both demo companies, loaded through the same services `make run` uses.

    Put back as they were loaded when a transactional test flushed the database before
    this one.
    """
    if _LOADED and not Tenant.objects.exists():
        _restore(_LOADED)
    load_demo()
    return {t.slug: t for t in Tenant.objects.all()}


def member(email: str, tenant_slug: str | None = None) -> Membership:
    qs = Membership.objects.select_related("tenant", "user").filter(user__email=email)
    if tenant_slug:
        qs = qs.filter(tenant__slug=tenant_slug)
    return qs.get()


def actor_for(email: str, tenant_slug: str | None = None) -> Actor:
    return Actor.for_member(member(email, tenant_slug))


@pytest.fixture
def login(client: Client):  # type: ignore[no-untyped-def]
    """Sign a demo person in on the Django test client (session cookie, no password round trip)."""

    def _login(email: str, tenant_slug: str | None = None) -> Client:
        m = (
            member(email, tenant_slug)
            if tenant_slug
            else Membership.objects.filter(user__email=email).first()
        )
        assert m is not None, email
        client.force_login(m.user)
        session = client.session
        # What allauth records at a password sign-in (its time is what step-up reads).
        session[AUTHENTICATION_METHODS_SESSION_KEY] = [
            {"method": "password", "at": time.time(), "email": m.user.email}
        ]
        session["account_authentication_methods_user"] = str(m.user.pk)
        if tenant_slug:
            session["kluis_tenant_id"] = m.tenant_id
        session.save()
        return client

    return _login
