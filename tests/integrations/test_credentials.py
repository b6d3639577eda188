"""API keys against a live server with a real, independent HTTP client (`requests`)."""

from __future__ import annotations

import datetime as dt

import pytest
import requests
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.integrations.keys import find_key
from kluis.integrations.models import ApiKey
from kluis.integrations.services import revoke_api_key
from kluis.people.models import Employee
from tests.api_client import PROBLEM_JSON, make_key

pytestmark = pytest.mark.django_db(transaction=True)


def get(live_server, path: str, key: str | None = None, **headers: str) -> requests.Response:
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return requests.get(f"{live_server.url}{path}", headers=headers, timeout=30)


def assert_401(response: requests.Response) -> None:
    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["status"] == 401


def test_a_valid_key_lists_its_companys_employees_and_is_marked_used(demo, live_server):
    key = make_key("demo-bv", ["employees:read"])
    response = get(live_server, "/api/v1/employees/", key)
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids <= set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    assert find_key(key).last_used_at is not None


def test_no_key_is_401(demo, live_server):
    assert_401(get(live_server, "/api/v1/employees/"))


def test_an_unknown_key_is_401(demo, live_server):
    assert_401(get(live_server, "/api/v1/employees/", "kluis_" + "A" * 40))


@pytest.mark.parametrize(
    "header",
    ["Bearer", "Bearer kluis_short", "Bearer a b", "Token kluis_x"],
)
def test_a_malformed_authorization_header_is_401(demo, live_server, header):
    assert_401(get(live_server, "/api/v1/employees/", Authorization=header))


def test_a_revoked_key_is_401(demo, live_server):
    key = make_key("demo-bv", ["employees:read"])
    assert get(live_server, "/api/v1/employees/", key).status_code == 200
    stored = find_key(key)
    revoke_api_key(Actor.system("tests", stored.client.tenant), stored)
    assert_401(get(live_server, "/api/v1/employees/", key))


def test_an_expired_key_is_401(demo, live_server):
    key = make_key("demo-bv", ["employees:read"], expires_at=timezone.now() + dt.timedelta(hours=1))
    ApiKey.objects.filter(prefix=key[:12]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_401(get(live_server, "/api/v1/employees/", key))


def test_a_key_with_a_tampered_secret_is_401(demo, live_server):
    key = make_key("demo-bv", ["employees:read"])
    tampered = key[:-1] + ("A" if key[-1] != "A" else "B")
    assert_401(get(live_server, "/api/v1/employees/", tampered))


def test_a_key_of_other_nv_gets_404_for_a_demo_bv_employee(demo, live_server):
    key = make_key("other-nv")
    demo_employee = Employee.objects.filter(tenant__slug="demo-bv").first()
    response = get(live_server, f"/api/v1/employees/{demo_employee.pk}/", key)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    missing = get(live_server, "/api/v1/employees/987654321/", key)
    assert missing.json()["detail"] == response.json()["detail"]


def test_a_key_of_other_nv_lists_only_other_nv(demo, live_server):
    key = make_key("other-nv", ["employees:read"])
    response = get(live_server, "/api/v1/employees/?page_size=200", key)
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(Employee.objects.filter(tenant__slug="other-nv").values_list("pk", flat=True))
