"""Shared fixtures: real database, real services, the demo companies."""

from __future__ import annotations

import os
import time

os.environ.setdefault("KLUIS_ENV", "test")

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from django.test import Client

from kluis.access.actor import Actor
from kluis.company.demo import load_demo
from kluis.tenancy.models import Membership, Tenant

# The API test helpers (the `api` fixture, fresh rate-limit counters for every test) serve
# every app's API tests, so the whole suite loads them; pytest takes plugins from the root
# conftest only.
pytest_plugins = ["tests.api_client"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """Load the demo companies once per test database; each test then rolls back."""
    with django_db_blocker.unblock():
        load_demo()


@pytest.fixture
def demo(db: None) -> dict[str, Tenant]:
    """Both demo companies, loaded through the same services `make run` uses.

    Reloaded when a transactional test flushed the database before this one.
    """
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
