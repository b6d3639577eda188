"""OAuth 2.0 authorization code + PKCE for third-party apps: consent by a member who manages
integrations (Django test client, signed in), then the app's own requests with `requests`
against the live server."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from oauth2_provider.models import AccessToken, Application
from requests.auth import HTTPBasicAuth

from kluis.access.actor import Actor
from kluis.integrations.models import OAuthConnection
from kluis.integrations.services import register_oauth_app
from kluis.people.models import Employee
from kluis.tenancy.models import Membership
from tests.api_client import PROBLEM_JSON

pytestmark = pytest.mark.django_db(transaction=True)

REDIRECT = "https://app.example.com/callback"


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


def authorize_params(app: Application, challenge: str, scope: str) -> dict[str, str]:
    return {
        "response_type": "code",
        "client_id": str(app.client_id),
        "redirect_uri": REDIRECT,
        "scope": scope,
        "state": "xyz",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }


def consent(browser, app: Application, scope: str = "employees:read") -> tuple[str, str]:
    """Let the signed-in member approve; returns (code, verifier)."""
    verifier, challenge = pkce()
    params = authorize_params(app, challenge, scope)
    page = browser.get("/oauth/authorize", params)
    assert page.status_code == 200, page.content[:500]
    html = page.content.decode()
    assert "Demo" in html  # the company is named
    assert "Read employees" in html  # the scopes in words
    response = browser.post("/oauth/authorize", {**params, "allow": "Authorize"})
    assert response.status_code == 302, response.content[:500]
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT
    query = parse_qs(location.query)
    assert query["state"] == ["xyz"]
    return query["code"][0], verifier


def exchange(live_server, app: Application, secret: str, **data: str) -> requests.Response:
    return requests.post(
        f"{live_server.url}/oauth/token",
        data={"redirect_uri": REDIRECT, **data},
        auth=HTTPBasicAuth(str(app.client_id), secret),
        timeout=30,
    )


def bearer(live_server, path: str, token: str) -> requests.Response:
    return requests.get(
        f"{live_server.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30
    )


@pytest.fixture
def app() -> tuple[Application, str]:
    return register_oauth_app(Actor.system("tests"), "Planner", [REDIRECT])


def test_authlib_connects_with_pkce_refreshes_and_is_disconnected(
    demo, live_server, login, app, monkeypatch
):
    """A third-party app as Authlib's OAuth2 client builds it: authorization URL with an
    S256 challenge, the member's consent, code exchange, API calls, refresh, revocation."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # the live server is plain HTTP
    application, secret = app
    session = OAuth2Session(
        str(application.client_id),
        secret,
        scope="employees:read",
        redirect_uri=REDIRECT,
        code_challenge_method="S256",
    )
    verifier = generate_token(64)
    url, state = session.create_authorization_url(
        f"{live_server.url}/oauth/authorize", code_verifier=verifier
    )
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    assert params["code_challenge_method"] == "S256" and params["code_challenge"]
    browser = login("owner@demo-bv.test")
    page = browser.get("/oauth/authorize", params)
    assert page.status_code == 200 and "Read employees" in page.content.decode()
    approved = browser.post("/oauth/authorize", {**params, "allow": "Authorize"})
    assert approved.status_code == 302, approved.content[:500]
    token_url = f"{live_server.url}/oauth/token"
    tokens = session.fetch_token(
        token_url, authorization_response=approved["Location"], code_verifier=verifier
    )
    assert tokens["expires_in"] == 3600 and tokens["refresh_token"]
    assert parse_qs(urlsplit(approved["Location"]).query)["state"] == [state]
    listed = session.get(f"{live_server.url}/api/v1/employees/", timeout=30)
    assert listed.status_code == 200, listed.text
    demo_ids = set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    assert {row["id"] for row in listed.json()["results"]} <= demo_ids
    first_refresh = tokens["refresh_token"]
    rotated = session.refresh_token(token_url)
    assert rotated["refresh_token"] != first_refresh
    assert session.get(f"{live_server.url}/api/v1/employees/", timeout=30).status_code == 200
    revoked = session.revoke_token(f"{live_server.url}/oauth/revoke", token=rotated["access_token"])
    assert revoked.status_code == 200
    assert session.get(f"{live_server.url}/api/v1/employees/", timeout=30).status_code == 401


def test_connect_exchange_call_refresh_and_disconnect(demo, live_server, login, app):
    application, secret = app
    browser = login("owner@demo-bv.test")
    code, verifier = consent(browser, application)
    tokens = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier,
    )  # fmt: skip
    assert tokens.status_code == 200, tokens.text
    body = tokens.json()
    assert body["expires_in"] == 3600 and body["refresh_token"]
    listed = bearer(live_server, "/api/v1/employees/", body["access_token"])
    assert listed.status_code == 200, listed.text
    ids = {row["id"] for row in listed.json()["results"]}
    assert ids <= set(Employee.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True))
    # The code works once.
    again = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier,
    )  # fmt: skip
    assert again.status_code == 400
    # Refresh tokens rotate; reusing the old one revokes the family.
    refreshed = exchange(
        live_server, application, secret, grant_type="refresh_token",
        refresh_token=body["refresh_token"],
    )  # fmt: skip
    assert refreshed.status_code == 200, refreshed.text
    new = refreshed.json()
    assert new["refresh_token"] != body["refresh_token"]
    assert bearer(live_server, "/api/v1/employees/", new["access_token"]).status_code == 200
    reuse = exchange(
        live_server, application, secret, grant_type="refresh_token",
        refresh_token=body["refresh_token"],
    )  # fmt: skip
    assert reuse.status_code == 400
    # Disconnecting on the Connected apps page ends every token.
    page = browser.get("/integrations/connected-apps/").content.decode()
    assert "Planner" in page
    connection = OAuthConnection.objects.get(application=application, revoked_at__isnull=True)
    asked = browser.post(f"/integrations/connected-apps/{connection.pk}/revoke/")
    assert b"Disconnect Planner?" in asked.content
    done = browser.post(f"/integrations/connected-apps/{connection.pk}/revoke/", {"confirmed": "1"})
    assert done.status_code == 302
    assert AccessToken.objects.filter(application=application).count() == 0
    gone = bearer(live_server, "/api/v1/employees/", new["access_token"])
    assert gone.status_code == 401
    assert gone.headers["Content-Type"] == PROBLEM_JSON


def test_pkce_is_required_and_checked(demo, live_server, login, app):
    application, secret = app
    browser = login("owner@demo-bv.test")
    params = authorize_params(application, "x", "employees:read")
    del params["code_challenge"], params["code_challenge_method"]
    response = browser.get("/oauth/authorize", params)
    assert response.status_code in {200, 302, 400}
    if response.status_code == 302:
        assert "error=" in response["Location"]
    else:
        assert "code_challenge" in response.content.decode() or "error" in response.content.decode()
    code, _verifier = consent(browser, application)
    wrong = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=secrets.token_urlsafe(48),
    )  # fmt: skip
    assert wrong.status_code == 400


def test_plain_pkce_and_other_redirect_uris_are_refused(demo, login, app):
    application, _secret = app
    browser = login("owner@demo-bv.test")
    params = authorize_params(application, "a" * 43, "employees:read")
    params["code_challenge_method"] = "plain"
    response = browser.get("/oauth/authorize", params)
    assert response.status_code != 200 or "consent-form" not in response.content.decode()
    params = authorize_params(application, pkce()[1], "employees:read")
    params["redirect_uri"] = "https://evil.example.com/callback"
    response = browser.get("/oauth/authorize", params)
    assert "consent-form" not in response.content.decode()
    assert "evil" not in response.get("Location", "")


def test_a_member_without_integrations_manage_cannot_connect(demo, login, app):
    application, _secret = app
    browser = login("member1@demo-bv.test")
    params = authorize_params(application, pkce()[1], "employees:read")
    assert browser.get("/oauth/authorize", params).status_code == 403
    assert browser.post("/oauth/authorize", {**params, "allow": "Authorize"}).status_code == 403
    assert not OAuthConnection.objects.exists()


def test_the_token_acts_for_the_consenting_company_only(demo, live_server, login, app):
    application, secret = app
    browser = login("owner@demo-bv.test")
    code, verifier = consent(browser, application, scope="employees:read")
    token = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier,
    ).json()["access_token"]  # fmt: skip
    other = Employee.objects.filter(tenant__slug="other-nv").first()
    assert bearer(live_server, f"/api/v1/employees/{other.pk}/", token).status_code == 404


def test_a_deactivated_members_connected_app_stops_on_the_next_request(
    demo, live_server, login, app
):
    application, secret = app
    browser = login("owner@demo-bv.test")
    code, verifier = consent(browser, application, scope="employees:read")
    token = exchange(
        live_server, application, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier,
    ).json()["access_token"]  # fmt: skip
    assert bearer(live_server, "/api/v1/employees/", token).status_code == 200
    member = Membership.objects.get(tenant__slug="demo-bv", user__email="owner@demo-bv.test")
    Membership.objects.filter(pk=member.pk).update(is_active=False)
    gone = bearer(live_server, "/api/v1/employees/", token)
    assert gone.status_code == 401
    assert gone.headers["Content-Type"] == PROBLEM_JSON
    Membership.objects.filter(pk=member.pk).update(is_active=True)
    assert bearer(live_server, "/api/v1/employees/", token).status_code == 200


def test_a_refused_consent_names_the_app_and_its_scopes_again(demo, login, app):
    """An HR admin holds no audit:read: connecting with it is refused on the screen, which
    still says which app and what it asked for."""
    application, _secret = app
    browser = login("hr@demo-bv.test")
    params = authorize_params(application, pkce()[1], "employees:read audit:read")
    assert browser.get("/oauth/authorize", params).status_code == 200
    response = browser.post("/oauth/authorize", {**params, "allow": "Authorize"})
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "Connect Planner?" in html and "Read employees" in html and "audit:read" in html
    assert not OAuthConnection.objects.exists()
