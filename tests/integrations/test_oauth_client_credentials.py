"""OAuth 2.0 client credentials (django-oauth-toolkit) against a live server: the main flow
with Authlib's OAuth2 client, the edge cases with plain `requests` to see the raw answers."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from oauth2_provider.models import AccessToken, Application
from requests.auth import HTTPBasicAuth

from kluis.access.actor import Actor
from kluis.access.permissions import API_SCOPES
from kluis.integrations.models import ApiClient
from kluis.integrations.services import create_oauth_client, revoke_api_client
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.api_client import PROBLEM_JSON

pytestmark = pytest.mark.django_db(transaction=True)


def make_oauth_client(slug: str = "demo-bv", scopes: list[str] | None = None) -> tuple[str, str]:
    tenant = Tenant.objects.get(slug=slug)
    _client, client_id, secret = create_oauth_client(
        Actor.system("tests", tenant), tenant, "OAuth client", scopes or ["employees:read"]
    )
    return client_id, secret


def token(live_server, client_id: str, secret: str, **data: str) -> requests.Response:
    data.setdefault("grant_type", "client_credentials")
    return requests.post(
        f"{live_server.url}/oauth/token",
        data=data,
        auth=HTTPBasicAuth(client_id, secret),
        timeout=30,
    )


def api_get(live_server, path: str, access_token: str) -> requests.Response:
    return requests.get(
        f"{live_server.url}{path}",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=30,
    )


@pytest.fixture
def authlib_over_http(monkeypatch) -> None:
    """The live test server speaks plain HTTP on localhost; Authlib insists on HTTPS."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")


def test_authlib_gets_a_token_lists_employees_and_revokes_it(demo, live_server, authlib_over_http):
    client_id, secret = make_oauth_client(scopes=["employees:read", "wages:read"])
    session = OAuth2Session(client_id, secret, scope="employees:read")
    issued = session.fetch_token(f"{live_server.url}/oauth/token", grant_type="client_credentials")
    assert issued["token_type"] == "Bearer" and issued["expires_in"] == 3600
    assert issued["scope"] == "employees:read"
    listed = session.get(f"{live_server.url}/api/v1/employees/?page_size=200", timeout=30)
    assert listed.status_code == 200, listed.text
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids == set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    assert all("wage" not in row for row in listed.json()["results"])  # not granted to the token
    revoked = session.revoke_token(f"{live_server.url}/oauth/revoke", token=issued["access_token"])
    assert revoked.status_code == 200
    assert session.get(f"{live_server.url}/api/v1/employees/", timeout=30).status_code == 401


def test_the_scope_settings_mirror_the_api_scopes():
    assert set(settings.OAUTH2_PROVIDER["SCOPES"]) == set(API_SCOPES)


def test_a_token_from_client_credentials_lists_the_companys_employees(demo, live_server):
    client_id, secret = make_oauth_client()
    response = token(live_server, client_id, secret, scope="employees:read")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "employees:read"
    assert "refresh_token" not in body
    listed = api_get(live_server, "/api/v1/employees/", body["access_token"])
    assert listed.status_code == 200, listed.text
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids
    assert ids <= set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))


def test_the_client_may_authenticate_in_the_body_and_gets_its_scopes_by_default(demo, live_server):
    client_id, secret = make_oauth_client(scopes=["employees:read", "wages:read"])
    response = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    assert set(response.json()["scope"].split()) == {"employees:read", "wages:read"}


def test_the_secret_is_stored_hashed(demo):
    client_id, secret = make_oauth_client()
    application = Application.objects.get(client_id=client_id)
    assert application.hash_client_secret
    assert application.client_secret != secret
    assert application.authorization_grant_type == Application.GRANT_CLIENT_CREDENTIALS


def test_tokens_are_stored_as_checksums_only(demo, live_server):
    client_id, secret = make_oauth_client()
    access_token = token(live_server, client_id, secret).json()["access_token"]
    stored = AccessToken.objects.get(application__client_id=client_id)
    assert stored.token != access_token


def test_a_wrong_secret_gets_no_token(demo, live_server):
    client_id, secret = make_oauth_client()
    response = token(live_server, client_id, secret + "x")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_a_scope_beyond_the_clients_is_refused(demo, live_server):
    client_id, secret = make_oauth_client(scopes=["employees:read"])
    response = token(live_server, client_id, secret, scope="employees:read wages:read")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_the_token_acts_with_its_own_scopes_only(demo, live_server):
    client_id, secret = make_oauth_client(scopes=["employees:read", "audit:read"])
    access_token = token(live_server, client_id, secret, scope="audit:read").json()["access_token"]
    assert api_get(live_server, "/api/v1/employees/", access_token).status_code == 403


def test_scopes_taken_from_the_client_later_stop_working(demo, live_server):
    client_id, secret = make_oauth_client(scopes=["employees:read"])
    access_token = token(live_server, client_id, secret).json()["access_token"]
    ApiClient.objects.filter(oauth_application__client_id=client_id).update(scopes=["audit:read"])
    assert api_get(live_server, "/api/v1/employees/", access_token).status_code == 403


def assert_401(response: requests.Response) -> None:
    assert response.status_code == 401
    assert response.headers["Content-Type"] == PROBLEM_JSON
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_an_expired_token_is_401(demo, live_server):
    client_id, secret = make_oauth_client()
    access_token = token(live_server, client_id, secret).json()["access_token"]
    AccessToken.objects.filter(application__client_id=client_id).update(
        expires=timezone.now() - dt.timedelta(seconds=1)
    )
    assert_401(api_get(live_server, "/api/v1/employees/", access_token))


def test_an_unknown_token_is_401(demo, live_server):
    assert_401(api_get(live_server, "/api/v1/employees/", "not-a-token-we-issued"))


def test_a_revoked_token_and_a_revoked_client_are_401(demo, live_server):
    client_id, secret = make_oauth_client()
    first = token(live_server, client_id, secret).json()["access_token"]
    revoked = requests.post(
        f"{live_server.url}/oauth/revoke",
        data={"token": first},
        auth=HTTPBasicAuth(client_id, secret),
        timeout=30,
    )
    assert revoked.status_code == 200
    assert_401(api_get(live_server, "/api/v1/employees/", first))
    second = token(live_server, client_id, secret).json()["access_token"]
    assert api_get(live_server, "/api/v1/employees/", second).status_code == 200
    client = ApiClient.objects.get(oauth_application__client_id=client_id)
    revoke_api_client(Actor.system("tests", client.tenant), client)
    assert_401(api_get(live_server, "/api/v1/employees/", second))
    assert token(live_server, client_id, secret).status_code in {400, 401}


def test_a_token_of_other_nv_gets_404_for_demo_bv_ids(demo, live_server):
    client_id, secret = make_oauth_client("other-nv")
    access_token = token(live_server, client_id, secret).json()["access_token"]
    employee = Employee.objects.filter(tenant__slug="demo-bv").first()
    response = api_get(live_server, f"/api/v1/employees/{employee.pk}/", access_token)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == PROBLEM_JSON
    listed = api_get(live_server, "/api/v1/employees/?page_size=200", access_token)
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids == set(Employee.objects.filter(tenant__slug="other-nv").values_list("pk", flat=True))


def test_password_and_implicit_grants_are_refused(demo, live_server):
    client_id, secret = make_oauth_client()
    response = token(
        live_server, client_id, secret, grant_type="password", username="x", password="y"
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"
    authorize = requests.get(
        f"{live_server.url}/oauth/authorize",
        params={"response_type": "token", "client_id": client_id},
        timeout=30,
        allow_redirects=False,
    )
    assert authorize.status_code in {302, 400, 404}
    assert "access_token" not in authorize.headers.get("Location", "")


def test_the_cli_prints_client_id_and_secret_once(demo, live_server):
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "oauthclient_create",
        tenant="demo-bv",
        name="CLI OAuth",
        scopes="employees:read,wages:read",
        stdout=out,
        stderr=err,
    )
    client_id, secret = out.getvalue().split()
    assert secret not in err.getvalue()
    response = token(live_server, client_id, secret, scope="employees:read wages:read")
    assert response.status_code == 200, response.text


def test_the_token_endpoint_is_rate_limited_per_client(demo, live_server, settings):
    settings.OAUTH_RATE_PER_CLIENT = "2/min"
    client_id, secret = make_oauth_client()
    first = token(live_server, client_id, secret)
    assert first.status_code == 200 and first.headers["RateLimit-Remaining"] == "1"
    assert token(live_server, client_id, "a-wrong-secret").status_code == 401  # counted too
    refused = token(live_server, client_id, secret)
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == PROBLEM_JSON
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert refused.json()["status"] == 429
    # The same id in the form instead of Basic credentials is the same client.
    in_form = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
        timeout=30,
    )
    assert in_form.status_code == 429
    revoked = requests.post(
        f"{live_server.url}/oauth/revoke",
        data={"token": first.json()["access_token"]},
        auth=HTTPBasicAuth(client_id, secret),
        timeout=30,
    )
    assert revoked.status_code == 429
    other_id, other_secret = make_oauth_client()
    assert token(live_server, other_id, other_secret).status_code == 200  # not this client


def test_the_token_endpoint_counts_against_the_per_ip_limit(demo, live_server, settings):
    settings.API_RATE_PER_IP = "2/hour"  # not a minute: its window could end mid-test
    clients = [make_oauth_client() for _ in range(3)]
    statuses = [token(live_server, client_id, secret).status_code for client_id, secret in clients]
    assert statuses == [200, 200, 429]
    made_up = requests.post(
        f"{live_server.url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=HTTPBasicAuth("kc_made_up", "guess"),
        headers={"X-Forwarded-For": "198.51.100.1"},
        timeout=30,
    )
    assert made_up.status_code == 429


def test_there_is_no_introspection_endpoint(demo, live_server):
    demo_id, demo_secret = make_oauth_client("demo-bv")
    other_id, other_secret = make_oauth_client("other-nv")
    access = token(live_server, demo_id, demo_secret).json()["access_token"]
    for method in ("get", "post"):
        answer = getattr(requests, method)(
            f"{live_server.url}/oauth/introspect",
            params={"token": access} if method == "get" else None,
            data={"token": access} if method == "post" else None,
            auth=HTTPBasicAuth(other_id, other_secret),
            timeout=30,
        )
        assert answer.status_code == 404
        assert "active" not in answer.text
    # Another company's client cannot revoke it either.
    requests.post(
        f"{live_server.url}/oauth/revoke",
        data={"token": access},
        auth=HTTPBasicAuth(other_id, other_secret),
        timeout=30,
    )
    assert api_get(live_server, "/api/v1/employees/?fields=id", access).status_code == 200


def test_parallel_posts_with_one_idempotency_key_all_get_the_first_answer(demo, live_server):
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the test server's in-memory SQLite is one connection shared by threads")

    from kluis.people.models import Department
    from tests.api_client import make_key

    key = make_key("demo-bv", ["employees:read", "employees:write"])
    for round_ in range(3):
        name = f"Parallel {round_}"

        def post(_n: int, name: str = name, round_: int = round_) -> requests.Response:
            return requests.post(
                f"{live_server.url}/api/v1/departments/",
                json={"name": name},
                headers={"Authorization": f"Bearer {key}", "Idempotency-Key": f"par-{round_}"},
                timeout=30,
            )

        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(post, range(8)))
        assert [a.status_code for a in answers] == [201] * 8, [a.text for a in answers]
        assert len({a.json()["id"] for a in answers}) == 1
        assert Department.objects.filter(tenant__slug="demo-bv", name=name).count() == 1
