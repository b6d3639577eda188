"""A sandbox of Demo BV, made once per module (its 47 people take a few seconds)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kluis.access.actor import Actor
from kluis.flags.services import set_rule, target_for
from kluis.sandbox import services
from kluis.sandbox.models import Sandbox
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for


@pytest.fixture(scope="module")
def made(demo_for_module: dict[str, Tenant], django_db_blocker) -> Iterator[Sandbox]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        owner = actor_for("owner@demo-bv.test", "demo-bv")
        sandbox = services.create_sandbox(owner, demo_for_module["demo-bv"])
    yield sandbox


@pytest.fixture(autouse=True)
def sandboxes_for_every_company(request: pytest.FixtureRequest) -> None:
    """The demo turns the experimental `sandboxes` flag on for Demo BV only; these tests
    make sandboxes of both companies (test_flag.py checks the flag itself)."""
    if "demo" in request.fixturenames and "flag_as_the_demo_has_it" not in request.keywords:
        request.getfixturevalue("demo")
        set_rule(Actor.system("tests"), "sandboxes", target_for(everyone=True), on=True)


@pytest.fixture
def system() -> Actor:
    return Actor.system("tests")
