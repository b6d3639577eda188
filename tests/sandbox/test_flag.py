"""Sandboxes are experimental: the `sandboxes` feature flag decides, per company, whether
its owners see the page, the menu entry, and may make one (the demo: Demo BV only)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from kluis.access.actor import Actor
from kluis.flags.services import set_rule, target_for
from kluis.sandbox import services
from kluis.sandbox.models import Sandbox
from tests.conftest import actor_for

pytestmark = pytest.mark.flag_as_the_demo_has_it


def test_off_for_a_company_no_page_no_menu_no_sandbox(demo, client, login):
    login("owner@other-nv.test", "other-nv")
    assert client.get("/settings/sandboxes/").status_code == 404
    assert b"/settings/sandboxes/" not in client.get("/").content
    with pytest.raises(PermissionDenied):
        services.create_sandbox(actor_for("owner@other-nv.test", "other-nv"), demo["other-nv"])
    assert not Sandbox.objects.exists()


def test_on_for_demo_bv_the_owner_finds_it_in_the_menu(demo, client, login):
    login("owner@demo-bv.test", "demo-bv")
    assert b'href="/settings/sandboxes/"' in client.get("/").content
    assert client.get("/settings/sandboxes/").status_code == 200


def test_an_operator_turning_it_on_opens_it_for_that_company(demo, client, login):
    set_rule(Actor.system("tests"), "sandboxes", target_for(company="other-nv"), on=True)
    login("owner@other-nv.test", "other-nv")
    assert client.get("/settings/sandboxes/").status_code == 200
