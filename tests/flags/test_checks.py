"""A template, a view and an API endpoint honour a flag; five flags cost one query."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from kluis.access.actor import Actor
from kluis.flags import enabled
from kluis.flags.services import set_rule, target_for
from tests.api_client import Api, make_key
from tests.conftest import member

pytestmark = pytest.mark.urls("tests.flags.flagged_urls")
ACTOR = Actor.system("tests")


def _on(**target: object) -> None:
    set_rule(ACTOR, "sandboxes", target_for(**target), on=True)  # type: ignore[arg-type]


def test_a_template_shows_what_the_flag_allows(demo, login):
    assert "No sandboxes" in login("owner@demo-bv.test", "demo-bv").get("/flagged/page/").text
    _on(company="demo-bv")
    assert "New sandbox" in login("owner@demo-bv.test", "demo-bv").get("/flagged/page/").text
    assert "No sandboxes" in login("owner@other-nv.test", "other-nv").get("/flagged/page/").text


def test_a_guarded_view_does_not_exist_while_the_flag_is_off(demo, login):
    client = login("owner@demo-bv.test", "demo-bv")
    assert client.get("/flagged/guarded/").status_code == 404
    _on(user="owner@demo-bv.test")
    response = client.get("/flagged/guarded/")
    assert response.status_code == 200
    assert response.text == "the guarded view"
    assert login("hr@demo-bv.test", "demo-bv").get("/flagged/guarded/").status_code == 404


def test_an_api_endpoint_answers_404_while_the_flag_is_off_for_the_clients_company(demo, client):
    api = Api(client, make_key("demo-bv"))
    assert api.get("/api/v1/flagged/").status_code == 404
    _on(company="demo-bv")
    response = api.get("/api/v1/flagged/")
    assert response.status_code == 200
    assert response.json() == {"sandboxes": "available"}
    assert Api(client, make_key("other-nv")).get("/api/v1/flagged/").status_code == 404
    assert Api(client, None).get("/api/v1/flagged/").status_code == 401


def _request_of(email: str):  # type: ignore[no-untyped-def]
    m = member(email)
    request = RequestFactory().get("/")
    request.user, request.tenant, request.membership = m.user, m.tenant, m
    return request


def test_five_flags_checked_twice_in_one_request_cost_two_queries(demo, declare):
    for name in ("flag_a", "flag_b", "flag_c", "flag_d"):
        declare(name)
    set_rule(ACTOR, "flag_a", target_for(role="hr_admin"), on=True)
    set_rule(ACTOR, "flag_b", target_for(company="demo-bv"), on=True)
    set_rule(ACTOR, "flag_c", target_for(percent=100), on=True)
    set_rule(ACTOR, "flag_d", target_for(user="owner@demo-bv.test"), on=True)
    request = _request_of("hr@demo-bv.test")
    names = ["flag_a", "flag_b", "flag_c", "flag_d", "sandboxes"]
    with CaptureQueriesContext(connection) as queries:
        states = [enabled(n, request=request) for n in names * 2]
    assert states == [True, True, True, False, False] * 2
    # The rules of every flag in one query, the member's roles in another.
    assert len(queries) == 2, [q["sql"] for q in queries]


def test_without_role_rules_five_flags_cost_one_query(demo, declare):
    declare("flag_a")
    set_rule(ACTOR, "flag_a", target_for(company="demo-bv"), on=True)
    request = _request_of("owner@demo-bv.test")
    with CaptureQueriesContext(connection) as queries:
        assert [enabled(n, request=request) for n in ["flag_a", "sandboxes"] * 5] == [
            True,
            False,
        ] * 5
    assert len(queries) == 1


def test_a_page_checking_five_flags_runs_the_rules_query_once(demo, declare, login):
    for name in ("flag_a", "flag_b", "flag_c", "flag_d"):
        declare(name)
    set_rule(ACTOR, "flag_c", target_for(company="demo-bv"), on=True)
    client = login("owner@demo-bv.test", "demo-bv")
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/flagged/five/")
    assert response.text == "flag_c"
    rules_queries = [q for q in queries if "flags_flagstate" in q["sql"]]
    assert len(rules_queries) == 1


def test_an_anonymous_request_is_in_no_company(demo):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    _on(percent=100)
    assert not enabled("sandboxes", request=request)
