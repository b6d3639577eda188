"""Signing in through a company's OpenID Connect provider, over real HTTP against a
provider on loopback (oidc-provider-mock): home-realm discovery, the first match by
verified e-mail, later matches by (issuer, subject) only, just-in-time accounts, and
another company's people refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from kluis.audit.models import AuditEvent
from kluis.identity.models import AddressFailures, User
from kluis.tenancy.models import Membership, Tenant
from tests.identity.sso_support import (
    authorize_at_mock,
    configure,
    mock_provider,
    set_user,
    start,
)

OWNER = "owner@demo-bv.test"


@pytest.fixture
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


@pytest.fixture
def demo_sso(demo: Any, issuer: str) -> Any:
    return configure(demo["demo-bv"], issuer, "demo-bv.test")


def signed_in_as(client: Client) -> str | None:
    response = client.get("/", secure=True)
    if response.status_code != 200 or "_auth_user_id" not in client.session:
        return None
    return User.objects.get(pk=client.session["_auth_user_id"]).email


def sso_sign_in(issuer: str, email: str, sub: str, client: Client | None = None) -> Any:
    client = client or Client(REMOTE_ADDR="127.0.0.9", HTTP_USER_AGENT="Browser SSO")
    request = start(client, email)
    assert request["url"].startswith(issuer)
    response = client.get(authorize_at_mock(request, sub), secure=True)
    return client, response


def test_an_address_of_the_company_s_domain_is_sent_to_its_provider(demo_sso, issuer):
    request = start(Client(), OWNER)

    assert request["url"].startswith(f"{issuer}/oauth2/authorize?")
    assert request["client_id"] == "kluis-test-client"
    assert request["login_hint"] == OWNER
    assert request["nonce"] and request["state"] and request["code_challenge"]
    assert request["redirect_uri"].endswith(
        f"/accounts/oidc/{demo_sso.provider_id}/login/callback/"
    )


def test_another_address_goes_on_to_the_password_step(demo_sso):
    response = Client().post(
        "/accounts/login/continue/", {"login": "employee@other-nv.test"}, secure=True
    )

    assert response.status_code == 200
    assert b'name="password"' in response.content
    assert b'value="employee@other-nv.test"' in response.content


def test_first_sign_in_matches_the_member_by_verified_e_mail_and_links_the_subject(
    demo_sso, issuer
):
    set_user(issuer, "sub-owner-1", email=OWNER, email_verified=True)

    client, response = sso_sign_in(issuer, OWNER, "sub-owner-1")

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_as(client) == OWNER
    account = SocialAccount.objects.get(provider=demo_sso.provider_id)
    assert (account.uid, account.user.email) == ("sub-owner-1", OWNER)
    linked = AuditEvent.objects.get(tenant=demo_sso.tenant, action="sso.linked")
    assert linked.changes == {"issuer": issuer, "subject": "sub-owner-1", "how": "verified e-mail"}
    succeeded = AuditEvent.objects.filter(tenant=demo_sso.tenant, action="signin.succeeded")
    assert succeeded.latest("id").changes["method"] == "sso"


def test_later_sign_ins_match_by_subject_even_when_the_e_mail_changed(demo_sso, issuer):
    set_user(issuer, "sub-owner-2", email=OWNER, email_verified=True)
    sso_sign_in(issuer, OWNER, "sub-owner-2")
    set_user(issuer, "sub-owner-2", email="olivia.renamed@demo-bv.test", email_verified=True)

    client, response = sso_sign_in(issuer, OWNER, "sub-owner-2")

    assert response.status_code == 302
    assert signed_in_as(client) == OWNER


def test_a_different_subject_with_the_same_e_mail_is_refused(demo_sso, issuer):
    set_user(issuer, "sub-owner-3", email=OWNER, email_verified=True)
    sso_sign_in(issuer, OWNER, "sub-owner-3")
    set_user(issuer, "sub-impostor", email=OWNER, email_verified=True)

    client, response = sso_sign_in(issuer, OWNER, "sub-impostor")

    assert response.status_code == 403
    assert b"linked to another identity" in response.content
    assert signed_in_as(client) is None
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["sub-owner-3"]


def test_a_verified_address_outside_the_company_s_domains_links_no_member(demo_sso, issuer):
    """A member whose Kluis address is a personal mailbox: anyone who registers that
    address at the company's provider (which vouches for it) must not become them."""
    User.objects.filter(email="member1@demo-bv.test").update(email="member1.home@mailbox.test")
    set_user(issuer, "sub-registered", email="member1.home@mailbox.test", email_verified=True)
    client = Client(REMOTE_ADDR="127.0.0.9")
    request = start(client, OWNER)

    response = client.get(authorize_at_mock(request, "sub-registered"), secure=True)

    assert response.status_code == 403
    assert b"cannot sign in an address outside the company" in response.content
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()
    failed = AuditEvent.objects.get(tenant=demo_sso.tenant, action="signin.failed")
    assert failed.changes["reason"] == "address outside the company's domains"


def test_an_e_mail_changed_at_the_provider_to_another_member_s_still_signs_in_its_owner(
    demo_sso, issuer
):
    set_user(issuer, "sub-owner-7", email=OWNER, email_verified=True)
    sso_sign_in(issuer, OWNER, "sub-owner-7")
    set_user(issuer, "sub-owner-7", email="hr@demo-bv.test", email_verified=True)

    client, response = sso_sign_in(issuer, "hr@demo-bv.test", "sub-owner-7")

    assert response.status_code == 302
    assert signed_in_as(client) == OWNER


def test_an_unverified_e_mail_is_not_matched(demo_sso, issuer):
    set_user(issuer, "sub-unverified", email=OWNER, email_verified=False)

    client, response = sso_sign_in(issuer, OWNER, "sub-unverified")

    assert response.status_code == 403
    assert b"did not confirm your e-mail address" in response.content
    assert signed_in_as(client) is None and not SocialAccount.objects.exists()


def test_an_unknown_address_gets_no_account_without_just_in_time_creation(demo_sso, issuer):
    set_user(issuer, "sub-new", email="new.person@demo-bv.test", email_verified=True)

    _client, response = sso_sign_in(issuer, "new.person@demo-bv.test", "sub-new")

    assert response.status_code == 403
    assert b"no Kluis account for this address at Demo BV" in response.content
    assert not User.objects.filter(email="new.person@demo-bv.test").exists()
    # A refused callback counts against the address like a wrong password.
    assert AddressFailures.objects.get(ip="127.0.0.9").failures == 1
    failed = AuditEvent.objects.get(tenant=demo_sso.tenant, action="signin.failed")
    assert failed.changes["method"] == "sso" and failed.changes["reason"] == "unknown address"


def test_just_in_time_creation_makes_a_member_with_no_role(demo, issuer):
    provider = configure(demo["demo-bv"], issuer, "demo-bv.test", allow_just_in_time=True)
    set_user(
        issuer,
        "sub-jit",
        email="new.person@demo-bv.test",
        email_verified=True,
        given_name="Nova",
        family_name="Nieuw",
    )

    client, response = sso_sign_in(issuer, "new.person@demo-bv.test", "sub-jit")

    assert response.status_code == 302
    assert signed_in_as(client) == "new.person@demo-bv.test"
    membership = Membership.objects.get(user__email="new.person@demo-bv.test")
    assert membership.tenant == provider.tenant
    assert membership.role_assignments.count() == 0
    assert membership.user.get_full_name() == "Nova Nieuw"
    assert not membership.user.has_usable_password()


def test_a_member_of_another_company_cannot_sign_in_through_this_company_s_provider(
    demo_sso, issuer
):
    set_user(issuer, "sub-other", email="employee@other-nv.test", email_verified=True)
    client = Client(REMOTE_ADDR="127.0.0.9")
    # The address routes elsewhere; an attacker starts at Demo BV's provider by hand.
    request = start(client, OWNER)
    response = client.get(authorize_at_mock(request, "sub-other"), secure=True)

    assert response.status_code == 403
    assert b"no Kluis account for this address at Demo BV" in response.content
    assert signed_in_as(client) is None


def test_an_account_of_two_companies_is_not_signed_in_through_one_company_s_provider(
    demo_sso, issuer
):
    set_user(issuer, "sub-consultant", email="consultant@kluis.test", email_verified=True)
    client = Client()
    request = start(client, OWNER)
    response = client.get(authorize_at_mock(request, "sub-consultant"), secure=True)

    assert response.status_code == 403
    assert b"belongs to more than one company" in response.content
    assert signed_in_as(client) is None


def test_a_disabled_provider_routes_nobody_and_signs_nobody_in(demo, issuer):
    provider = configure(demo["demo-bv"], issuer, "demo-bv.test")
    set_user(issuer, "sub-owner-4", email=OWNER, email_verified=True)
    client = Client()
    request = start(client, OWNER)
    type(provider).objects.filter(pk=provider.pk).update(enabled=False)

    response = client.get(authorize_at_mock(request, "sub-owner-4"), secure=True)

    assert response.status_code == 403
    assert b"not enabled" in response.content
    again = Client().post("/accounts/login/continue/", {"login": OWNER}, secure=True)
    assert again.status_code == 200 and b'name="password"' in again.content


def test_a_company_managed_link_cannot_be_disconnected_by_its_person(demo_sso, issuer):
    set_user(issuer, "sub-owner-5", email=OWNER, email_verified=True)
    client, _response = sso_sign_in(issuer, OWNER, "sub-owner-5")
    account = SocialAccount.objects.get(uid="sub-owner-5")

    page = client.get("/accounts/3rdparty/", secure=True)
    assert page.status_code == 200
    client.post("/accounts/3rdparty/", {"account": account.pk}, secure=True)

    assert SocialAccount.objects.filter(pk=account.pk).exists()


def test_a_sign_in_starts_the_address_s_failure_count_again(demo_sso, issuer):
    set_user(issuer, "sub-owner-6", email=OWNER, email_verified=True)
    set_user(issuer, "sub-stranger", email="stranger@demo-bv.test", email_verified=True)
    client = Client(REMOTE_ADDR="127.0.0.9")
    request = start(client, OWNER)
    client.get(authorize_at_mock(request, "sub-stranger"), secure=True)  # refused: counted
    from kluis.identity.brute_force import account_key
    from kluis.identity.models import SignInFailures

    assert SignInFailures.objects.filter(account=account_key(OWNER)).count() == 1

    sso_sign_in(issuer, OWNER, "sub-owner-6")

    assert not SignInFailures.objects.filter(account=account_key(OWNER)).exists()


def test_the_same_subject_from_another_issuer_is_not_the_linked_person(demo_sso, issuer):
    """Subjects are unique per issuer only: Other NV's provider naming the subject that
    Demo BV's provider linked to its owner signs in nobody of Demo BV."""
    set_user(issuer, "sub-shared", email=OWNER, email_verified=True)
    sso_sign_in(issuer, OWNER, "sub-shared")
    with mock_provider() as other_issuer:
        configure(Tenant.objects.get(slug="other-nv"), other_issuer, "other-nv.test")
        set_user(other_issuer, "sub-shared", email="stranger@other-nv.test", email_verified=True)

        client, response = sso_sign_in(other_issuer, "stranger@other-nv.test", "sub-shared")

    assert response.status_code == 403
    assert b"no Kluis account for this address at Other NV" in response.content
    assert signed_in_as(client) is None
