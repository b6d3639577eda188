"""Switching company: only to a company one belongs to; the session key rotates."""

from __future__ import annotations

from django.conf import settings

from kluis.tenancy.models import Tenant


def test_consultant_switches_to_the_other_company(demo, login):
    client = login("consultant@kluis.test", "demo-bv")
    assert b"Demo BV" in client.get("/", secure=True).content
    before = (
        client.cookies[settings.SESSION_COOKIE_NAME].value
        if settings.SESSION_COOKIE_NAME in client.cookies
        else None
    )
    response = client.post(
        "/company/switch/", {"tenant": demo["other-nv"].pk, "next": "/"}, secure=True
    )
    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != before
    page = client.get("/", secure=True)
    assert b'data-testid="current-company">Other NV' in page.content


def test_switching_to_a_company_one_is_not_a_member_of_is_refused(demo, login):
    client = login("owner@demo-bv.test", "demo-bv")
    response = client.post("/company/switch/", {"tenant": demo["other-nv"].pk}, secure=True)
    assert response.status_code == 400
    assert b'data-testid="current-company">Demo BV' in client.get("/", secure=True).content


def test_switching_with_garbage_is_a_clear_400(demo, login):
    client = login("consultant@kluis.test", "demo-bv")
    for value in ["", "abc", "999999", str(Tenant.objects.count() + 100)]:
        assert client.post("/company/switch/", {"tenant": value}, secure=True).status_code == 400


def test_switch_does_not_redirect_to_another_site(demo, login):
    client = login("consultant@kluis.test", "demo-bv")
    response = client.post(
        "/company/switch/",
        {"tenant": demo["other-nv"].pk, "next": "https://evil.example/"},
        secure=True,
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_switching_company_needs_a_post(demo, login):
    client = login("consultant@kluis.test", "demo-bv")
    assert client.get("/company/switch/", secure=True).status_code == 405
