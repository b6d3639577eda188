"""The owner's single sign-on settings: who may see and change them (never another
company), what is checked when they are saved (the discovery document over real HTTP),
and that the client secret is sealed and never shown or audited."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings

from kluis.audit.models import AuditEvent
from kluis.crypto import vault
from kluis.identity.models import IdentityProvider, SignInDomain
from kluis.identity.sso.models import CLIENT_SECRET_PURPOSE
from kluis.identity.sso.services import SsoSettings, configure_sso, remove_sso
from tests.conftest import actor_for
from tests.identity.sso_support import CLIENT_ID, CLIENT_SECRET, CraftedProvider, configure

URL = "/settings/sso/"


@pytest.fixture
def provider() -> Iterator[CraftedProvider]:
    with CraftedProvider() as crafted:
        yield crafted


def form(issuer: str, **changes: Any) -> dict[str, Any]:
    data = {
        "kind": "oidc",
        "issuer": issuer,
        "directory": "",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "domains": "demo-bv.test",
        "enabled": "on",
        "password_sign_in_allowed": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_owner_sets_up_single_sign_on_and_the_secret_is_sealed_never_shown(
    demo, login, provider
):
    client = login("owner@demo-bv.test")

    response = client.post(URL, form(provider.issuer), secure=True)

    assert response.status_code == 302
    saved = IdentityProvider.objects.get(tenant=demo["demo-bv"])
    assert saved.issuer == provider.issuer and saved.enabled
    assert CLIENT_SECRET not in saved.client_secret_sealed
    opened = vault.unseal(saved.tenant_id, CLIENT_SECRET_PURPOSE, saved.client_secret_sealed)
    assert opened == CLIENT_SECRET
    page = client.get(URL, secure=True).content.decode()
    assert CLIENT_SECRET not in page
    assert "Client secret: set" in page
    assert f"/accounts/oidc/{saved.provider_id}/login/callback/" in page
    event = AuditEvent.objects.get(tenant=demo["demo-bv"], action="sso.configured")
    assert CLIENT_SECRET not in str(event.changes)
    assert event.changes["client_secret"] == {"old": None, "new": "[replaced]"}
    assert event.changes["domains"] == {"old": [], "new": ["demo-bv.test"]}


def test_an_empty_secret_keeps_the_one_set_and_a_new_one_replaces_it(demo, login, provider):
    client = login("owner@demo-bv.test")
    client.post(URL, form(provider.issuer), secure=True)

    client.post(URL, form(provider.issuer, client_secret="", enabled=None), secure=True)
    kept = IdentityProvider.objects.get(tenant=demo["demo-bv"])
    assert not kept.enabled
    assert vault.unseal(kept.tenant_id, CLIENT_SECRET_PURPOSE, kept.client_secret_sealed) == (
        CLIENT_SECRET
    )

    client.post(URL, form(provider.issuer, client_secret="a-new-secret-0123"), secure=True)
    kept.refresh_from_db()
    assert vault.unseal(kept.tenant_id, CLIENT_SECRET_PURPOSE, kept.client_secret_sealed) == (
        "a-new-secret-0123"
    )
    changed = AuditEvent.objects.filter(tenant=demo["demo-bv"], action="sso.changed").latest("id")
    assert changed.changes["client_secret"] == {"old": "[set]", "new": "[replaced]"}
    assert "a-new-secret" not in str(changed.changes)


@pytest.mark.parametrize(
    "email", ["hr@demo-bv.test", "employee@demo-bv.test", "auditor@demo-bv.test"]
)
def test_only_those_who_manage_single_sign_on_reach_the_page(demo, login, email):
    client = login(email)

    assert client.get(URL, secure=True).status_code == 403
    assert client.post(URL, form("https://login.example.com"), secure=True).status_code == 403
    assert not IdentityProvider.objects.exists()


def test_the_service_refuses_a_member_without_the_permission_and_another_company(demo, provider):
    data = SsoSettings(kind="oidc", issuer=provider.issuer, client_id="x", client_secret="y")

    with pytest.raises(PermissionDenied):
        configure_sso(actor_for("hr@demo-bv.test"), demo["demo-bv"], data)
    with pytest.raises(PermissionDenied):
        configure_sso(actor_for("owner@other-nv.test"), demo["demo-bv"], data)
    with pytest.raises(PermissionDenied):
        remove_sso(actor_for("owner@other-nv.test"), demo["demo-bv"])
    assert not IdentityProvider.objects.exists()


def test_another_company_s_owner_sees_and_changes_only_their_own(demo, login, provider):
    configure(demo["demo-bv"], provider.issuer, "demo-bv.test")
    client = login("owner@other-nv.test")

    page = client.get(URL, secure=True).content.decode()
    assert provider.issuer not in page and "demo-bv.test" not in page
    client.post(f"{URL}remove/", {"confirmed": "1"}, secure=True)

    assert IdentityProvider.objects.filter(tenant=demo["demo-bv"]).count() == 1
    response = client.post(URL, form(provider.issuer, domains="demo-bv.test"), secure=True)
    assert response.status_code == 200
    # Named by the check before writing, on PostgreSQL too (it looks past row-level
    # security, which hides other companies' domains from this owner).
    assert "through another company" in response.content.decode()
    assert not IdentityProvider.objects.filter(tenant=demo["other-nv"]).exists()


@pytest.mark.parametrize(
    ("issuer", "words"),
    [
        ("http://login.example.com", "must be an https:// address"),
        ("https://user:pw@login.example.com", "must be an https:// address"),
        ("http://127.0.0.1:9", "Could not reach"),
    ],
)
def test_an_issuer_that_is_not_secure_or_answers_nothing_is_refused(demo, login, issuer, words):
    client = login("owner@demo-bv.test")

    response = client.post(URL, form(issuer), secure=True)

    assert response.status_code == 200
    assert words in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_a_discovery_document_naming_another_issuer_is_refused(demo, login, provider):
    client = login("owner@demo-bv.test")
    other = provider.issuer.replace("127.0.0.1", "localhost")

    response = client.post(URL, form(other), secure=True)

    assert "names another issuer" in response.content.decode()
    assert not IdentityProvider.objects.exists()


@override_settings(SSO_ALLOW_LOOPBACK_HTTP=False)
def test_plain_http_on_loopback_is_refused_where_not_allowed(demo, login, provider):
    response = login("owner@demo-bv.test").post(URL, form(provider.issuer), secure=True)

    assert "must be an https:// address" in response.content.decode()


def test_presets_name_the_issuer_of_entra_id_and_google(demo):
    owner = actor_for("owner@demo-bv.test")
    entra = SsoSettings(
        kind="entra", directory="not-a-guid", client_id="x", client_secret="y", domains="a.test"
    )
    with pytest.raises(ValidationError) as refused:
        configure_sso(owner, demo["demo-bv"], entra)
    assert "directory" in refused.value.message_dict

    google = SsoSettings(kind="google", directory="", client_id="x", client_secret="y")
    with pytest.raises(ValidationError) as refused:
        configure_sso(owner, demo["demo-bv"], google)
    assert "Google Workspace domain" in str(refused.value.message_dict["directory"])


def test_changing_the_issuer_unlinks_people_and_removing_drops_everything(demo, provider):
    from allauth.socialaccount.models import SocialAccount

    from kluis.identity.models import User

    saved = configure(demo["demo-bv"], provider.issuer, "demo-bv.test")
    SocialAccount.objects.create(
        user=User.objects.get(email="owner@demo-bv.test"), provider=saved.provider_id, uid="s"
    )
    with CraftedProvider() as second:
        configure(demo["demo-bv"], second.issuer, "demo-bv.test")

    assert not SocialAccount.objects.exists()
    changed = AuditEvent.objects.filter(tenant=demo["demo-bv"], action="sso.changed").latest("id")
    assert changed.changes["unlinked_accounts"] == 1

    remove_sso(actor_for("owner@demo-bv.test"), demo["demo-bv"])
    assert not IdentityProvider.objects.exists() and not SignInDomain.objects.exists()
    assert AuditEvent.objects.filter(tenant=demo["demo-bv"], action="sso.removed").exists()


def test_the_owner_sees_the_page_in_the_navigation(demo, login):
    page = login("owner@demo-bv.test").get("/", secure=True).content.decode()
    assert 'href="/settings/sso/"' in page
    page = Client().get(URL, secure=True)
    assert page.status_code == 302
