"""Every token the OAuth endpoints issue, refresh or revoke leaves one audit event in the
client's company (who: the API client; from where: IP and request id), never the token,
the code or the secret; refused requests leave none. Real requests through Django's test
client against /oauth/token and /oauth/revoke."""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from oauth2_provider.models import AccessToken, Application, RefreshToken

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.audit.services import hashed_content, verify_tenant
from kluis.integrations.models import ApiClient, OAuthConnection
from kluis.integrations.services import create_oauth_client, register_oauth_app
from kluis.tenancy.models import Tenant

REDIRECT = "https://app.example.com/callback"


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def post_token(client_id: str, secret: str, **data: str):  # type: ignore[no-untyped-def]
    return Client().post("/oauth/token", data, HTTP_AUTHORIZATION=basic(client_id, secret))


def post_revoke(client_id: str, secret: str, **data: str):  # type: ignore[no-untyped-def]
    return Client().post("/oauth/revoke", data, HTTP_AUTHORIZATION=basic(client_id, secret))


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))


def everything_stored(event: AuditEvent) -> str:
    """The audit row as stored and as hashed, as one text to search."""
    content = hashed_content(event)
    return json.dumps(content, default=str) + event.hash + event.prev_hash


def assert_holds_no_secret(event: AuditEvent, *values: str) -> None:
    stored = everything_stored(event)
    for value in values:
        assert value not in stored
        assert hashlib.sha256(value.encode()).hexdigest() not in stored  # nor its checksum


@pytest.fixture
def cc_client(demo) -> tuple[ApiClient, str, str]:
    tenant = Tenant.objects.get(slug="demo-bv")
    return create_oauth_client(
        Actor.system("tests", tenant), tenant, "Payroll sync", ["employees:read", "wages:read"]
    )


def test_a_client_credentials_token_is_audited_in_the_clients_company(cc_client):
    client, client_id, secret = cc_client
    response = post_token(
        client_id, secret, grant_type="client_credentials", scope="employees:read"
    )
    assert response.status_code == 200, response.content
    access_token = response.json()["access_token"]
    [event] = events("oauth_token.issued")
    assert event.tenant_id == client.tenant_id
    assert (event.actor_kind, event.actor_label) == ("api_client", "api:Payroll sync")
    assert (event.object_type, event.object_id) == ("integrations.apiclient", str(client.pk))
    assert event.ip == "127.0.0.1"
    assert event.request_id and event.request_id == response["X-Request-ID"]
    stored = AccessToken.objects.get(application__client_id=client_id)
    assert event.changes["grant_type"]["new"] == "client_credentials"
    assert event.changes["scopes"]["new"] == ["employees:read"]
    assert event.changes["access_token"]["new"] == stored.pk
    assert_holds_no_secret(event, access_token, secret)
    assert verify_tenant(client.tenant).ok


def test_a_revoked_token_is_audited_once_and_an_unknown_one_not_at_all(cc_client):
    client, client_id, secret = cc_client
    access_token = post_token(client_id, secret, grant_type="client_credentials").json()[
        "access_token"
    ]
    stored_pk = AccessToken.objects.get(application__client_id=client_id).pk
    revoked = post_revoke(client_id, secret, token=access_token)
    assert revoked.status_code == 200
    assert post_revoke(client_id, secret, token=access_token).status_code == 200  # again
    assert post_revoke(client_id, secret, token="not-a-token").status_code == 200
    [event] = events("oauth_token.revoked")
    assert event.tenant_id == client.tenant_id and event.actor_kind == "api_client"
    assert event.changes == {"access_token": {"old": stored_pk, "new": None}}
    assert event.request_id == revoked["X-Request-ID"] and event.ip == "127.0.0.1"
    assert_holds_no_secret(event, access_token, secret)
    assert not AccessToken.objects.filter(pk=stored_pk).exists()


def test_a_client_cannot_revoke_or_audit_another_clients_token(cc_client):
    _client, client_id, secret = cc_client
    access_token = post_token(client_id, secret, grant_type="client_credentials").json()[
        "access_token"
    ]
    tenant = Tenant.objects.get(slug="other-nv")
    _other, other_id, other_secret = create_oauth_client(
        Actor.system("tests", tenant), tenant, "Intruder", ["employees:read"]
    )
    assert post_revoke(other_id, other_secret, token=access_token).status_code == 200
    assert events("oauth_token.revoked") == []
    assert AccessToken.objects.filter(application__client_id=client_id).exists()


def test_a_wrong_secret_is_logged_not_audited(cc_client, caplog):
    _client, client_id, secret = cc_client
    before = AuditEvent.objects.count()
    # Another first character (a secret that starts with "x" made this the right one).
    wrong = ("y" if secret.startswith("x") else "x") + secret[1:]
    with caplog.at_level(logging.WARNING, logger="kluis.integrations.oauth"):
        for _attempt in range(3):
            response = post_token(client_id, wrong, grant_type="client_credentials")
            assert response.status_code == 401
    assert AuditEvent.objects.count() == before
    assert not AccessToken.objects.filter(application__client_id=client_id).exists()
    logged = [r.getMessage() for r in caplog.records if r.name == "kluis.integrations.oauth"]
    assert len(logged) == 3
    assert all("invalid_client" in line and client_id in line for line in logged)
    assert not any(wrong in line or secret in line for line in logged)


# Authorization code + PKCE: consent by a signed-in member, then the app's own requests.


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.rstrip(b"=").decode()


@pytest.fixture
def third_party(demo) -> tuple[Application, str]:
    return register_oauth_app(Actor.system("tests"), "Planner", [REDIRECT])


def consent(browser: Client, application: Application) -> tuple[str, str]:
    verifier, challenge = pkce()
    params = {
        "response_type": "code",
        "client_id": str(application.client_id),
        "redirect_uri": REDIRECT,
        "scope": "employees:read",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    approved = browser.post("/oauth/authorize", {**params, "allow": "Authorize"})
    assert approved.status_code == 302, approved.content[:500]
    return parse_qs(urlsplit(approved["Location"]).query)["code"][0], verifier


def test_code_exchange_refresh_and_revoke_are_each_audited_as_the_connection(third_party, login):
    application, secret = third_party
    client_id = str(application.client_id)
    code, verifier = consent(login("owner@demo-bv.test", "demo-bv"), application)
    connection = OAuthConnection.objects.get(application=application, revoked_at__isnull=True)
    [connected] = events("oauth_connection.created")
    assert connected.changes["client_id"]["new"] == client_id  # the app's facts, per company
    assert connected.changes["redirect_uris"]["new"] == [REDIRECT]

    issued = post_token(
        client_id, secret, grant_type="authorization_code", code=code,
        code_verifier=verifier, redirect_uri=REDIRECT,
    )  # fmt: skip
    assert issued.status_code == 200, issued.content
    first = issued.json()
    refreshed = post_token(
        client_id, secret, grant_type="refresh_token", refresh_token=first["refresh_token"]
    )
    assert refreshed.status_code == 200, refreshed.content
    second = refreshed.json()
    revoked = post_revoke(
        client_id, secret, token=second["refresh_token"], token_type_hint="refresh_token"
    )
    assert revoked.status_code == 200

    [issue] = events("oauth_token.issued")
    [refresh] = events("oauth_token.refreshed")
    [revoke] = events("oauth_token.revoked")
    for event in (issue, refresh, revoke):
        assert event.tenant.slug == "demo-bv"
        assert event.actor_kind == "api_client" and event.actor_label == "api:Planner"
        assert event.object_id == str(connection.api_client_id)
        assert event.ip == "127.0.0.1" and event.request_id
        assert_holds_no_secret(
            event, secret, code, verifier, first["access_token"], first["refresh_token"],
            second["access_token"], second["refresh_token"],
        )  # fmt: skip
    assert issue.changes["grant_type"]["new"] == "authorization_code"
    assert refresh.changes["grant_type"]["new"] == "refresh_token"
    assert issue.request_id == issued["X-Request-ID"]
    assert refresh.request_id == refreshed["X-Request-ID"]
    assert revoke.request_id == revoked["X-Request-ID"]
    rotated = RefreshToken.objects.get(pk=revoke.changes["refresh_token"]["old"])
    assert rotated.revoked is not None
    assert verify_tenant(connection.tenant).ok


def test_a_reused_code_is_refused_and_not_audited(third_party, login, caplog):
    application, secret = third_party
    client_id = str(application.client_id)
    code, verifier = consent(login("owner@demo-bv.test", "demo-bv"), application)
    exchange = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier,
                "redirect_uri": REDIRECT}  # fmt: skip
    assert post_token(client_id, secret, **exchange).status_code == 200
    with caplog.at_level(logging.WARNING, logger="kluis.integrations.oauth"):
        again = post_token(client_id, secret, **exchange)
    assert again.status_code == 400
    assert len(events("oauth_token.issued")) == 1
    logged = [r.getMessage() for r in caplog.records if r.name == "kluis.integrations.oauth"]
    assert any("invalid_grant" in line for line in logged)
    assert not any(code in line for line in logged)


def test_consenting_twice_keeps_one_connection_and_audits_the_update(third_party, login):
    application, _secret = third_party
    browser = login("owner@demo-bv.test", "demo-bv")
    consent(browser, application)
    consent(browser, application)
    assert OAuthConnection.objects.filter(application=application).count() == 1
    assert len(events("oauth_connection.created")) == 1
    assert len(events("oauth_connection.updated")) == 1
