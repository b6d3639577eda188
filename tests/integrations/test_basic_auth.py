"""HTTP Basic with an API client's id and secret, against a live server with `requests`."""

from __future__ import annotations

import io

import pytest
import requests
from django.core.management import call_command
from requests.auth import HTTPBasicAuth

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.integrations.models import ApiClient
from kluis.integrations.services import create_api_client, revoke_api_client
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.api_client import PROBLEM_JSON

pytestmark = pytest.mark.django_db(transaction=True)


def make_client(slug: str = "demo-bv", scopes: list[str] | None = None) -> tuple[str, str]:
    tenant = Tenant.objects.get(slug=slug)
    client, secret = create_api_client(
        Actor.system("tests", tenant), tenant, "Basic client", scopes or ["employees:read"]
    )
    return str(client.client_id), secret


def get(live_server, path: str, auth: HTTPBasicAuth | None) -> requests.Response:
    return requests.get(f"{live_server.url}{path}", auth=auth, timeout=30)


def assert_basic_401(response: requests.Response) -> None:
    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["WWW-Authenticate"] == 'Basic realm="api"'
    assert response.json()["status"] == 401


def test_basic_with_id_and_secret_lists_the_companys_employees(demo, live_server):
    client_id, secret = make_client()
    response = get(live_server, "/api/v1/employees/", HTTPBasicAuth(client_id, secret))
    assert response.status_code == 200, response.text
    ids = {row["id"] for row in response.json()["results"]}
    assert ids
    assert ids <= set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))


def test_only_a_digest_of_the_secret_is_stored(demo):
    client_id, secret = make_client()
    stored = ApiClient.objects.get(client_id=client_id)
    assert secret not in stored.secret_digest
    assert len(stored.secret_digest) == 64
    event = AuditEvent.objects.filter(action="api_client.created").latest("pk")
    assert secret not in str(event.changes)


def test_a_wrong_secret_an_unknown_id_and_garbage_are_401(demo, live_server):
    client_id, secret = make_client()
    assert_basic_401(get(live_server, "/api/v1/employees/", HTTPBasicAuth(client_id, secret + "x")))
    assert_basic_401(get(live_server, "/api/v1/employees/", HTTPBasicAuth("kc_nobody", secret)))
    for header in ["Basic !!!", "Basic dXNlcg==", "Basic dXNlcjpwYXNz"]:
        response = requests.get(
            f"{live_server.url}/api/v1/employees/", headers={"Authorization": header}, timeout=30
        )
        assert_basic_401(response)


def test_a_revoked_client_is_401(demo, live_server):
    client_id, secret = make_client()
    auth = HTTPBasicAuth(client_id, secret)
    assert get(live_server, "/api/v1/employees/", auth).status_code == 200
    client = ApiClient.objects.get(client_id=client_id)
    revoke_api_client(Actor.system("tests", client.tenant), client)
    assert_basic_401(get(live_server, "/api/v1/employees/", auth))


def test_basic_acts_with_the_clients_scopes_only(demo, live_server):
    client_id, secret = make_client(scopes=["audit:read"])
    response = get(live_server, "/api/v1/employees/", HTTPBasicAuth(client_id, secret))
    assert response.status_code == 403


def test_a_client_of_other_nv_gets_404_for_a_demo_bv_employee(demo, live_server):
    client_id, secret = make_client("other-nv")
    employee = Employee.objects.filter(tenant__slug="demo-bv").first()
    response = get(
        live_server, f"/api/v1/employees/{employee.pk}/", HTTPBasicAuth(client_id, secret)
    )
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON


def test_the_cli_prints_id_and_secret_once(demo, live_server):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "apiclient_create",
        tenant="demo-bv",
        name="CLI client",
        scopes="employees:read",
        stdout=out,
        stderr=err,
    )
    client_id, secret = out.getvalue().split()
    assert client_id.startswith("kc_")
    assert secret not in err.getvalue()
    response = get(live_server, "/api/v1/employees/", HTTPBasicAuth(client_id, secret))
    assert response.status_code == 200
