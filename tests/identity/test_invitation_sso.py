"""An invited employee of a company with single sign-on accepts the invitation through
their company's provider (a real OpenID Connect provider on loopback): the invitation page
offers it, the first sign-in links the account by verified e-mail and closes the link,
and HR sees the person as able to sign in. A company that forbids password sign-in offers
its single sign-on only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.company.models import Notice
from kluis.identity.models import Invitation
from tests.identity.sso_support import authorize_at_mock, configure, mock_provider, set_user
from tests.identity.test_invitations import HR, NEW_PASSWORD, hr_client, invite, newcomer


@pytest.fixture
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


def provider_request(page: Any) -> dict[str, str]:
    location = page.context["provider_url"]
    query = {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}
    return {"url": location, **query}


def invited(login: Any, capture: Any) -> tuple[Any, str]:
    employee = newcomer()
    path = invite(hr_client(login), employee, capture)
    employee.refresh_from_db()  # inviting made them a member
    return employee, path


def test_the_invitee_accepts_through_the_company_s_single_sign_on(
    demo, login, issuer, django_capture_on_commit_callbacks
):
    provider = configure(demo["demo-bv"], issuer, "demo-bv.test")
    employee, path = invited(login, django_capture_on_commit_callbacks)
    email = employee.membership.user.email
    invitee = Client(REMOTE_ADDR="127.0.0.7")
    page = invitee.get(path, secure=True).content.decode()
    assert 'data-testid="invitation-sso"' in page and "Continue with your work account" in page
    assert 'data-testid="invitation-form"' in page  # a password is still allowed here

    started = invitee.post(path + "sso/", secure=True)
    assert started.status_code == 200
    request = provider_request(started)
    assert request["url"].startswith(issuer) and request["login_hint"] == email
    set_user(issuer, "sub-newcomer", email=email, email_verified=True)
    back = invitee.get(authorize_at_mock(request, "sub-newcomer"), secure=True)

    assert back.status_code == 302 and back["Location"] == "/"
    assert int(invitee.session["_auth_user_id"]) == employee.membership.user_id
    assert SocialAccount.objects.get(provider=provider.provider_id).uid == "sub-newcomer"
    invitation = Invitation.objects.get(membership=employee.membership)
    assert invitation.accepted_at is not None
    accepted = AuditEvent.objects.get(action="invitation.accepted", tenant=demo["demo-bv"])
    assert accepted.changes["method"] == "single sign-on"
    # HR finds it in their inbox, linking to the profile.
    notice = Notice.objects.get(topic="invitation.accepted", membership__user__email=HR)
    assert notice.url == f"/people/{employee.pk}/" and "accepted the invitation" in notice.title
    # The link is closed, and HR sees someone who can sign in.
    assert Client().get(path, secure=True).status_code == 410
    profile = hr_client(login).get(f"/people/{employee.pk}/", secure=True).content
    assert b'data-state="active"' in profile


def test_a_company_that_forbids_passwords_offers_its_single_sign_on_only(
    demo, login, issuer, django_capture_on_commit_callbacks
):
    configure(demo["demo-bv"], issuer, "demo-bv.test", password_sign_in_allowed=False)
    employee, path = invited(login, django_capture_on_commit_callbacks)
    invitee = Client()
    page = invitee.get(path, secure=True).content.decode()
    assert 'data-testid="invitation-sso"' in page
    assert 'data-testid="invitation-form"' not in page
    posted = invitee.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert "_auth_user_id" not in invitee.session
    assert 'data-testid="invitation-form"' not in posted.content.decode()
    assert not employee.membership.user.__class__.objects.get(
        pk=employee.membership.user_id
    ).has_usable_password()


def test_without_single_sign_on_only_the_password_is_offered(
    demo, login, django_capture_on_commit_callbacks
):
    _, path = invited(login, django_capture_on_commit_callbacks)
    invitee = Client()
    page = invitee.get(path, secure=True).content.decode()
    assert 'data-testid="invitation-sso"' not in page
    assert invitee.post(path + "sso/", secure=True).status_code == 404
