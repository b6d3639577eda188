"""Step-up: changing one's own bank account, creating API credentials, exporting all
employees and granting roles ask for the second factor again when the last one is older
than KLUIS_STEPUP_SECONDS (600); a person without a second factor enters the password."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.test import Client

from kluis.access.models import Role, RoleAssignment
from kluis.identity import stepup
from kluis.identity.models import User
from kluis.integrations.models import ApiKey
from tests.conftest import member
from tests.identity.mfa_helpers import add_totp, code

OWNER = "owner@demo-bv.test"
HR = "hr@demo-bv.test"
EMPLOYEE = "member1@demo-bv.test"
STEP_UP = "/accounts/2fa/reauthenticate/"


def with_totp(login: Any, email: str) -> tuple[Client, str]:
    """Signed in with the password only (the login fixture); the account has TOTP."""
    secret = add_totp(User.objects.get(email=email))
    return login(email), secret


def asks_for_the_factor(response: Any, back_to: str) -> None:
    assert response.status_code == 302
    assert response["Location"] == f"{STEP_UP}?next={quote(back_to, safe='')}"


def step_up(client: Client, secret: str, back_to: str) -> None:
    page = client.get(f"{STEP_UP}?next={quote(back_to, safe='')}")
    assert page.status_code == 200 and "authenticator code" in page.content.decode().lower()
    response = client.post(f"{STEP_UP}?next={quote(back_to, safe='')}", {"code": code(secret)})
    assert response.status_code == 302 and response["Location"] == back_to


def test_changing_ones_own_bank_account(demo, login):
    client, secret = with_totp(login, EMPLOYEE)
    asks_for_the_factor(client.get("/people/me/bank-account/"), "/people/me/bank-account/")
    step_up(client, secret, "/people/me/bank-account/")
    assert client.get("/people/me/bank-account/").status_code == 200


def test_exporting_all_employees(demo, login):
    client, secret = with_totp(login, HR)
    asks_for_the_factor(client.get("/people/export.csv"), "/people/export.csv")
    step_up(client, secret, "/people/export.csv")
    response = client.get("/people/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_creating_an_api_key(demo, login):
    client, secret = with_totp(login, OWNER)
    page = client.get("/integrations/api-keys/")  # the page itself is open
    form = {"name": "Payroll", "scopes": ["employees:read"], "once": page.context["once"]}
    response = client.post("/integrations/api-keys/", form)
    asks_for_the_factor(response, "/integrations/api-keys/")
    assert not ApiKey.objects.filter(client__name="Payroll").exists()
    step_up(client, secret, "/integrations/api-keys/")
    response = client.post("/integrations/api-keys/", form)
    assert response.status_code == 200 and response.context["new_key"]
    assert ApiKey.objects.filter(client__name="Payroll").count() == 1


def test_creating_an_api_client(demo, login):
    client, secret = with_totp(login, OWNER)
    page = client.get("/integrations/api-keys/")
    form = {"name": "Payroll", "scopes": ["employees:read"], "once": page.context["once"]}
    asks_for_the_factor(client.post("/integrations/api-clients/", form), "/integrations/api-keys/")
    step_up(client, secret, "/integrations/api-keys/")
    response = client.post("/integrations/api-clients/", form)
    assert response.status_code == 200 and response.context["new_client"]


def test_granting_a_role(demo, login):
    client, secret = with_totp(login, OWNER)
    target = member("member2@demo-bv.test")
    manager = Role.objects.get(tenant__slug="demo-bv", builtin_key="manager")
    url = f"/members/{target.pk}/roles/grant/"
    asks_for_the_factor(client.post(url, {"role": manager.pk}), f"/members/{target.pk}/")
    assert not RoleAssignment.objects.filter(membership=target, role=manager).exists()
    step_up(client, secret, f"/members/{target.pk}/")
    assert client.post(url, {"role": manager.pk}).status_code == 302
    assert RoleAssignment.objects.filter(membership=target, role=manager).exists()


def test_the_factor_is_asked_again_after_ten_minutes(demo, login, monkeypatch):
    client, secret = with_totp(login, HR)
    step_up(client, secret, "/people/export.csv")
    assert client.get("/people/export.csv").status_code == 200
    later = time.time() + settings.STEPUP_SECONDS + 1
    monkeypatch.setattr(stepup.time, "time", lambda: later)
    asks_for_the_factor(client.get("/people/export.csv"), "/people/export.csv")


def test_without_a_second_factor_the_password_is_asked_again(demo, login):
    client = login(HR)  # signed in with the password just now: no step-up yet
    assert client.get("/people/export.csv").status_code == 200
    session = client.session
    for entry in session["account_authentication_methods"]:
        entry["at"] -= settings.STEPUP_SECONDS + 1
    session.save()
    response = client.get("/people/export.csv")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/?next=")
    wrong = client.post(response["Location"], {"password": "not the password at all"})
    assert wrong.status_code == 200
    right = client.post(response["Location"], {"password": settings.DEMO_PASSWORD})
    assert right.status_code == 302 and right["Location"] == "/people/export.csv"
    assert client.get("/people/export.csv").status_code == 200


def test_a_password_is_no_step_up_for_an_account_with_a_second_factor(demo, login):
    client, _secret = with_totp(login, HR)  # the password was entered just now
    asks_for_the_factor(client.get("/people/export.csv"), "/people/export.csv")


@pytest.mark.parametrize("path", ["/settings/sign-in/", "/settings/sso/"])
def test_changing_sign_in_settings_and_single_sign_on(demo, login, path):
    client, secret = with_totp(login, OWNER)
    asks_for_the_factor(client.get(path), path)
    step_up(client, secret, path)
    assert client.get(path).status_code == 200


def test_granting_a_role_through_an_app_asks_for_a_recent_factor(demo, monkeypatch):
    """An app's access token (allauth headless) grants roles only while its sign-in's
    last factor is recent; after ten minutes the app confirms it again (here the
    password, the owner has no second factor) and the grant goes through."""
    import json

    from tests.identity.app_token_helpers import reauthenticate, tokens

    app = tokens(OWNER)
    target = member("member2@demo-bv.test")
    manager = Role.objects.get(tenant__slug="demo-bv", builtin_key="manager")
    url = f"/api/v1/memberships/{target.pk}/roles/"
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {app['access_token']}"}

    def grant(role: Role) -> Any:
        return Client().post(
            url, json.dumps({"role": role.pk}), "application/json", secure=True, **bearer
        )

    assert grant(manager).status_code == 201  # just signed in
    later = time.time() + settings.STEPUP_SECONDS + 1
    monkeypatch.setattr(stepup.time, "time", lambda: later)
    RoleAssignment.objects.filter(membership=target, role=manager).delete()
    refused = grant(manager)
    assert refused.status_code == 403, refused.content[:300]
    assert "re-authenticate" in refused.json()["detail"]
    assert not RoleAssignment.objects.filter(membership=target, role=manager).exists()
    confirmed = reauthenticate(app["session_token"])
    assert confirmed.status_code == 200, confirmed.content[:300]
    assert grant(manager).status_code == 201
