"""Tenant isolation of the REST API: a key of Other NV, holding every scope, gets the same
404 for every Demo BV object id as for an id that does not exist, with every method
(GET, PATCH, PUT, DELETE, and POST for the actions on an object), and changes nothing. The
routes come from the URL configuration (every path with an <id:...>), the ids from the
walk in tests/tenancy."""

from __future__ import annotations

import json

from django.test import Client

from kluis.access.actor import Actor
from kluis.api.paths import ObjectIdConverter
from kluis.integrations.services import create_api_key
from kluis.integrations.webhooks.models import WebhookDelivery
from kluis.integrations.webhooks.services import create_subscription
from kluis.tenancy.models import Tenant
from tests.api_client import ALL_SCOPES, PROBLEM_JSON, make_key
from tests.tenancy.test_isolation import API_PREFIX, _url, demo_objects, object_routes, snapshot


def api_routes() -> list[tuple[str, str]]:
    """API paths naming objects by id (a path naming something else, such as an event
    type's samples, is no company's object: its own tests show what it reveals)."""
    return [
        (ns, route)
        for ns, route, p in object_routes()
        if route.startswith(API_PREFIX)
        and all(isinstance(c, ObjectIdConverter) for c in p.pattern.converters.values())
    ]


TAKE_OVER = json.dumps({"last_name": "Taken over", "name": "Taken over", "version": 1})


def _answers(client: Client, key: str, url: str) -> list[tuple[str, int, str]]:
    headers = {"authorization": f"Bearer {key}"}
    answers = []
    for method, response in (
        ("GET", client.get(url, headers=headers)),
        ("PATCH", client.patch(url, TAKE_OVER, content_type="application/json", headers=headers)),
        ("PUT", client.put(url, TAKE_OVER, content_type="application/json", headers=headers)),
        ("DELETE", client.delete(url, headers=headers)),
        ("POST", client.post(url, TAKE_OVER, content_type="application/json", headers=headers)),
    ):
        answers.append((method, response.status_code, response["Content-Type"]))
    return answers


def test_a_key_of_other_nv_gets_404_for_every_demo_bv_object_url(demo):
    ids = demo_objects(demo["demo-bv"])
    key = make_key("other-nv")
    client = Client()
    before = snapshot()
    routes = api_routes()
    assert routes, "no API object URLs found"
    for ns, route in routes:
        pattern = next(p for n, r, p in object_routes() if r == route)
        args = pattern.pattern.converters
        url = _url(route, {arg: ids[(ns, arg)]() for arg in args})
        missing = _url(route, dict.fromkeys(args, 987654321))
        got = _answers(client, key, url)
        assert got == _answers(client, key, missing), url
        for method, status, content_type in got:
            assert status in {404, 405}, f"{method} {url} answered {status}"
            assert content_type == PROBLEM_JSON
    assert snapshot() == before


def test_the_walk_tries_every_method_the_api_offers_on_an_object(demo):
    """So a new PATCH, PUT or DELETE on an object URL cannot escape the walk above."""
    offered = set()
    for _ns, route in api_routes():
        pattern = next(p for n, r, p in object_routes() if r == route)
        offered |= set(getattr(pattern.callback, "actions", {}))
    assert offered <= {"get", "head", "patch", "put", "delete", "post"}, offered  # head: as get
    assert {"patch", "put", "delete", "post"} <= offered


def test_a_key_of_demo_bv_reaches_the_same_urls(demo):
    """(An API client sees only the webhook subscriptions it made: the key reads its own.)"""
    ids = demo_objects(demo["demo-bv"])
    tenant = Tenant.objects.get(slug="demo-bv")
    made, key = create_api_key(Actor.system("tests", tenant), tenant, "Walker", ALL_SCOPES)
    hook, _secret = create_subscription(
        Actor.for_api_client(made.client),
        tenant,
        {"url": "https://93.184.215.14/hook", "event_types": ["*"]},
    )
    ping = WebhookDelivery.objects.get(subscription=hook)
    ids[("api", "webhook_pk")] = lambda: hook.pk
    ids[("api", "delivery_pk")] = lambda: ping.pk
    for ns, route in api_routes():
        pattern = next(p for n, r, p in object_routes() if r == route)
        url = _url(route, {arg: ids[(ns, arg)]() for arg in pattern.pattern.converters})
        response = Client().get(url, headers={"authorization": f"Bearer {key}"})
        offers_get = "get" in getattr(pattern.callback, "actions", {})
        assert response.status_code == (200 if offers_get else 405), url


def test_an_api_request_leaves_the_connection_unnarrowed(demo):
    """On PostgreSQL the request runs narrowed to the key's company (row-level security);
    afterwards the connection sees every company again, as the worker and CLI need."""
    from kluis.people.models import Employee

    key = make_key("demo-bv")
    response = Client().get("/api/v1/employees/", headers={"authorization": f"Bearer {key}"})
    assert response.status_code == 200
    assert Employee.objects.filter(tenant=demo["other-nv"]).exists()
