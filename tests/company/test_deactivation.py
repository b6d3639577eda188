"""Deactivating a member ends their access at once: every open session of theirs is signed
out at its next request and the OAuth tokens of apps they connected are revoked; audited."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.company.services import deactivate_member, reactivate_member
from tests.conftest import actor_for, member

EMAIL = "member1@demo-bv.test"


def _browser(email: str = EMAIL) -> Client:
    client = Client(HTTP_USER_AGENT="Their browser")
    response = client.post(
        "/accounts/login/", {"login": email, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert response.status_code == 302
    assert client.get("/", secure=True).status_code == 200
    return client


def test_a_deactivated_member_s_open_session_is_signed_out(demo, login):
    browser = _browser()
    forced = Client()  # a session allauth does not list (no sign-in form)
    forced.force_login(member(EMAIL).user)
    assert forced.get("/", secure=True).status_code == 200
    hr = login("hr@demo-bv.test", "demo-bv")
    target = member(EMAIL, "demo-bv")
    page = hr.get(f"/members/{target.pk}/", secure=True).content.decode()
    assert 'data-testid="deactivate-member"' in page
    asked = hr.post(f"/members/{target.pk}/deactivate/", secure=True)
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in asked.content.decode()
    target.refresh_from_db()
    assert target.is_active  # asking changed nothing
    assert forced.get("/", secure=True).status_code == 200
    response = hr.post(f"/members/{target.pk}/deactivate/", {"confirmed": "1"}, secure=True)
    assert response.status_code == 302
    for client in (browser, forced):
        response = client.get("/", secure=True)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
        assert "_auth_user_id" not in client.session
    target.refresh_from_db()
    assert not target.is_active
    event = AuditEvent.objects.for_tenant(demo["demo-bv"]).filter(
        action="membership.deactivated", object_id=str(target.pk)
    )
    assert event.get().changes["sessions_ended"] >= 1
    # Signing in again reaches no company of theirs.
    again = Client()
    again.post(
        "/accounts/login/", {"login": EMAIL, "password": settings.DEMO_PASSWORD}, secure=True
    )
    assert again.get("/people/", secure=True).status_code == 403
    # Reactivated, they work again.
    hr.post(f"/members/{target.pk}/reactivate/", secure=True)
    target.refresh_from_db()
    assert target.is_active
    assert _browser().get("/people/", secure=True).status_code in (200, 403)


def test_the_oauth_tokens_of_their_connected_apps_are_revoked(demo):
    import datetime as dt

    from django.utils import timezone
    from oauth2_provider.models import AccessToken, Application, RefreshToken

    from kluis.integrations.models import ApiClient, OAuthConnection

    target = member("hr@demo-bv.test", "demo-bv")
    app = Application.objects.create(
        name="Payroll app",
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="https://payroll.example/cb",
    )
    client = ApiClient.objects.create(tenant=demo["demo-bv"], name="Payroll app")
    OAuthConnection.objects.create(
        tenant=demo["demo-bv"], application=app, user=target.user, api_client=client
    )
    access = AccessToken.objects.create(
        user=target.user,
        application=app,
        token="access-token-of-the-member",
        expires=timezone.now() + dt.timedelta(hours=1),
        scope="employees:read",
    )
    refresh = RefreshToken.objects.create(
        user=target.user, application=app, token="refresh-token-of-the-member", access_token=access
    )
    deactivate_member(actor_for("owner@demo-bv.test", "demo-bv"), target)
    assert not AccessToken.objects.filter(pk=access.pk).exists()
    refresh.refresh_from_db()
    assert refresh.revoked is not None


def test_deactivation_is_refused_without_the_permission_and_for_another_company(demo):
    target = member(EMAIL, "demo-bv")
    with pytest.raises(PermissionDenied):
        deactivate_member(actor_for("manager@demo-bv.test", "demo-bv"), target)
    with pytest.raises(PermissionDenied):
        deactivate_member(actor_for("owner@other-nv.test", "other-nv"), target)
    target.refresh_from_db()
    assert target.is_active


def test_another_company_s_member_is_not_found_through_the_urls(demo, login):
    theirs = member("member1@other-nv.test", "other-nv")
    hr = login("hr@demo-bv.test", "demo-bv")
    for action in ("deactivate", "reactivate"):
        assert hr.post(f"/members/{theirs.pk}/{action}/", secure=True).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_the_last_owner_and_oneself_cannot_be_deactivated(demo):
    owner = member("owner@demo-bv.test", "demo-bv")
    with pytest.raises(ValidationError, match="last owner"):
        deactivate_member(actor_for("hr@demo-bv.test", "demo-bv"), owner)
    with pytest.raises(ValidationError, match="yourself"):
        deactivate_member(actor_for("owner@demo-bv.test", "demo-bv"), owner)
    with pytest.raises(ValidationError, match="already active"):
        reactivate_member(actor_for("owner@demo-bv.test", "demo-bv"), owner)
