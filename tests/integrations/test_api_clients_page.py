"""The API keys page also makes clients for HTTP Basic (id + secret shown once)."""

from __future__ import annotations

from typing import Any

import pytest

from kluis.integrations.keys import find_client
from kluis.integrations.models import ApiClient


def once(client: Any) -> str:
    """The one-time token of the page's create forms, as a browser gets it."""
    token: str = client.get("/integrations/api-keys/").context["once"]
    return token


@pytest.mark.django_db
def test_the_page_creates_a_basic_client_shows_the_secret_once_and_revokes(demo, login):
    client = login("owner@demo-bv.test")
    form = {"name": "Payroll", "scopes": ["employees:read"], "once": once(client)}
    response = client.post("/integrations/api-clients/", form)
    assert response.status_code == 200
    made = response.context["new_client"]
    html = response.content.decode()
    assert made["client_id"] in html and made["secret"] in html
    stored = find_client(made["client_id"], made["secret"])
    assert stored is not None and stored.scopes == ["employees:read"]
    listing = client.get("/integrations/api-keys/").content.decode()
    assert made["client_id"] in listing and made["secret"] not in listing
    again = client.post("/integrations/api-clients/", form, follow=True)
    assert again.context.get("new_client") is None and "sent already" in again.content.decode()
    assert ApiClient.objects.filter(name="Payroll").count() == 1
    asked = client.post(f"/integrations/api-clients/{stored.pk}/revoke/")
    assert b'data-testid="confirm-page"' in asked.content
    assert ApiClient.objects.get(pk=stored.pk).revoked_at is None
    revoked = client.post(f"/integrations/api-clients/{stored.pk}/revoke/", {"confirmed": "1"})
    assert revoked.status_code == 302
    assert ApiClient.objects.get(pk=stored.pk).revoked_at is not None


@pytest.mark.django_db
def test_only_managers_make_clients_and_other_companies_clients_are_404(demo, login):
    employee = login("member1@demo-bv.test")
    assert employee.post("/integrations/api-clients/", {"name": "X"}).status_code == 403
    owner = login("owner@demo-bv.test")
    made = owner.post(
        "/integrations/api-clients/",
        {"name": "Payroll", "scopes": ["employees:read"], "once": once(owner)},
    ).context["new_client"]
    stored = ApiClient.objects.get(client_id=made["client_id"])
    other = login("owner@other-nv.test")
    assert other.post(f"/integrations/api-clients/{stored.pk}/revoke/").status_code == 404


def test_every_scope_is_described_in_the_readers_language(demo, login):
    """Each scope on the API keys page says what it allows (none repeats its code) and the
    description follows the reader's language (it was fixed in English when loaded)."""
    from django.utils import translation

    from kluis.access.permissions import API_SCOPES
    from kluis.integrations.forms import SCOPE_LABELS

    assert set(SCOPE_LABELS) == set(API_SCOPES)
    with translation.override("en"):  # the page activates Dutch: put English back after
        page = login("owner@demo-bv.test").get(
            "/integrations/api-keys/", secure=True, headers={"accept-language": "nl"}
        )
    with translation.override("en"):
        english = {scope: str(label) for scope, label in SCOPE_LABELS.items()}
    text = page.content.decode()
    for scope, label in SCOPE_LABELS.items():
        with translation.override("nl"):
            dutch = str(label)
        assert dutch != english[scope], scope
        assert f"{scope} \u2014 {dutch}" in text, scope
        assert f"{scope} \u2014 {scope}" not in text
