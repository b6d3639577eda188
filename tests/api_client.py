"""API test helpers for the whole suite (loaded by tests/conftest.py as a plugin, so every
app's API tests use them): keys made through the real service, an in-process client that
sends them as bearer tokens, the problem-document check, and fresh rate-limit counters
for every test."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from kluis.access.actor import Actor
from kluis.integrations.services import create_api_key
from kluis.tenancy.models import Tenant

ALL_SCOPES = [
    "employees:read",
    "employees:write",
    "wages:read",
    "identity:read",
    "personal:read",
    "audit:read",
    "roles:read",
    "webhooks:write",
    "timeoff:read",
    "timeoff:write",
    "absence:read",
    "checklists:read",
    "checklists:write",
    "offboardings:write",
]
PROBLEM_JSON = "application/problem+json"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def make_key(
    slug: str = "demo-bv",
    scopes: list[str] | None = None,
    *,
    name: str = "Test client",
    expires_at: dt.datetime | None = None,
) -> str:
    tenant = Tenant.objects.get(slug=slug)
    _key, plaintext = create_api_key(
        Actor.system("tests", tenant),
        tenant,
        name,
        scopes if scopes is not None else ALL_SCOPES,
        expires_at=expires_at,
    )
    return plaintext


class Api:
    """The Django test client with a bearer key and JSON bodies."""

    def __init__(self, client: Client, key: str | None) -> None:
        self.client = client
        self.key = key

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        headers = {"authorization": f"Bearer {self.key}"} if self.key else {}
        headers.update(extra or {})
        return headers

    def get(self, url: str, headers: dict[str, str] | None = None) -> Any:
        return self.client.get(url, headers=self._headers(headers))

    def post(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.post(
            url, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )

    def patch(self, url: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self.client.patch(
            url, json.dumps(body), content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def api(demo: dict[str, Tenant]) -> Callable[..., Api]:
    """api(scopes=None, slug="demo-bv") -> an Api client with a new key of that company."""

    def _api(scopes: list[str] | None = None, slug: str = "demo-bv") -> Api:
        return Api(Client(), make_key(slug, scopes))

    return _api


def assert_problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"] == PROBLEM_JSON
    body = json.loads(response.content)
    assert body["status"] == status
    assert {"type", "title", "detail", "instance"} <= set(body)
    return body
