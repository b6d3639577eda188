"""Guessing an API client's secret (HTTP Basic on the API, the OAuth token endpoint) meets
the sign-in brute-force counts (kluis/identity/brute_force.py): ten failures for one
client from one address block it from that address (429 on the API, invalid_client at
the token endpoint) before any secret is hashed; other addresses are unaffected."""

from __future__ import annotations

import base64
from typing import Any

from django.core.cache import cache
from django.test import Client

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.identity import brute_force
from kluis.integrations import basic as basic_lookup
from kluis.integrations.services import create_api_client, create_oauth_client
from kluis.tenancy.models import Tenant

ATTACKER = "127.0.0.9"
OFFICE = "127.0.0.2"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def api_get(client_id: str, secret: str, ip: str) -> Any:
    return Client(REMOTE_ADDR=ip).get(
        "/api/v1/employees/", HTTP_AUTHORIZATION=basic(client_id, secret), secure=True
    )


def token(client_id: str, secret: str, ip: str) -> Any:
    return Client(REMOTE_ADDR=ip).post(
        "/oauth/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client_id, secret),
        secure=True,
    )


def test_guessing_a_basic_secret_is_blocked_from_that_address_only(demo, monkeypatch):
    tenant = Tenant.objects.get(slug="demo-bv")
    client, secret = create_api_client(
        Actor.system("tests", tenant), tenant, "Basic client", ["employees:read"]
    )
    client_id = str(client.client_id)
    for _ in range(brute_force.BLOCK_AFTER):
        assert api_get(client_id, "wrong-secret", ATTACKER).status_code == 401
    hashed: list[str] = []
    original = basic_lookup.secret_matches
    monkeypatch.setattr(
        "kluis.integrations.basic.secret_matches",
        lambda *a: hashed.append(a[1]) or original(*a),
    )
    refused = api_get(client_id, secret, ATTACKER)
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert hashed == []  # refused before the secret was compared
    assert api_get(client_id, secret, OFFICE).status_code == 200
    event = AuditEvent.objects.get(action="api_client.secret_blocked", tenant=tenant)
    assert event.changes == {"ip": ATTACKER, "failures": brute_force.BLOCK_AFTER}


def test_an_unknown_client_id_gets_the_same_answers(demo):
    for _ in range(brute_force.BLOCK_AFTER):
        assert api_get("kc_nobody", "wrong-secret", ATTACKER).status_code == 401
    assert api_get("kc_nobody", "wrong-secret", ATTACKER).status_code == 429


def test_an_address_spraying_secrets_is_throttled_on_the_api(demo):
    for i in range(brute_force.THROTTLE_AFTER):
        brute_force.failed(f"api-basic:kc_sprayed{i}", ATTACKER)
    response = api_get("kc_any", "secret", ATTACKER)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 14 * 60 + 24


def test_guessing_an_oauth_client_secret_is_blocked_from_that_address(demo):
    tenant = Tenant.objects.get(slug="demo-bv")
    _client, client_id, secret = create_oauth_client(
        Actor.system("tests", tenant), tenant, "OAuth client", ["employees:read"]
    )
    for _ in range(brute_force.BLOCK_AFTER):
        assert token(client_id, "wrong-secret", ATTACKER).status_code == 401
        cache.clear()  # the token endpoint's own per-client limit is not under test
    assert token(client_id, secret, ATTACKER).status_code == 401
    assert token(client_id, secret, OFFICE).status_code == 200
    assert AuditEvent.objects.filter(action="api_client.secret_blocked", tenant=tenant).exists()


def test_a_basic_request_costs_one_statement_before_its_page(demo):
    """The client, its company and both counts in one statement (kluis/integrations/
    basic.py); a success with nothing counted writes nothing. After a failure from the
    address, the next success clears the count (and so costs its delete)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tenant = Tenant.objects.get(slug="demo-bv")
    client, secret = create_api_client(
        Actor.system("tests", tenant), tenant, "Basic client", ["employees:read"]
    )
    client_id = str(client.client_id)
    assert api_get(client_id, secret, OFFICE).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert api_get(client_id, secret, OFFICE).status_code == 200
    # (PostgreSQL: and widening the connection again after the response.)
    expected = 3 if connection.vendor == "postgresql" else 2
    assert len(queries) == expected, [q["sql"][:80] for q in queries.captured_queries]
    assert api_get(client_id, "wrong-secret", OFFICE).status_code == 401
    with CaptureQueriesContext(connection) as queries:
        assert api_get(client_id, secret, OFFICE).status_code == 200
    assert any("DELETE" in q["sql"] for q in queries.captured_queries)
    with CaptureQueriesContext(connection) as queries:
        assert api_get(client_id, secret, OFFICE).status_code == 200
    assert len(queries) == expected
