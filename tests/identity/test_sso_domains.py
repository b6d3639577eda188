"""A company can claim for its single sign-on only e-mail domains that are evidently its
own, and a claimed domain routes (and forbids passwords to) that company's people and
newcomers only: never another company's people, who would otherwise be sent to a provider
that is not theirs or kept from signing in."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from kluis.identity.sso.policy import password_refused
from kluis.identity.sso.provisioning import add_member
from tests.identity.sso_support import configure, mock_provider

from .mfa_helpers import password_step, signed_in


@pytest.fixture
def issuer() -> Iterator[str]:
    with mock_provider() as url:
        yield url


def domain_errors(demo, domains: str) -> list[str]:
    with pytest.raises(ValidationError) as refused:
        configure(demo["demo-bv"], "https://idp.example.test", domains)
    return list(refused.value.message_dict["domains"])


def test_a_public_mail_service_cannot_be_claimed(demo):
    (message,) = domain_errors(demo, "demo-bv.test gmail.com")
    assert "gmail.com is a public mail service" in message


def test_a_domain_another_company_s_people_sign_in_with_cannot_be_claimed(demo):
    (message,) = domain_errors(demo, "other-nv.test")
    assert "other-nv.test cannot be claimed" in message


def test_the_company_s_own_domain_can_be_claimed(demo, issuer):
    provider = configure(demo["demo-bv"], issuer, "demo-bv.test")
    assert list(provider.domains.values_list("domain", flat=True)) == ["demo-bv.test"]


def test_a_claimed_domain_routes_and_rules_its_company_s_people_only(demo, issuer):
    configure(demo["demo-bv"], issuer, "demo-bv.test", password_sign_in_allowed=False)
    # Someone of Other NV with an address at the domain, added after the claim.
    outsider = add_member(demo["other-nv"], "visitor@demo-bv.test", "Vera", "Visser")
    outsider.set_password("a long password of the visitor")
    outsider.save()

    routed = Client().post("/accounts/login/continue/", {"login": outsider.email}, secure=True)
    assert b'name="password"' in routed.content  # their own password step, not the provider
    assert not password_refused(outsider.email)
    client = Client()
    password_step(client, outsider.email, "a long password of the visitor")
    assert signed_in(client)

    # Demo BV's own people and addresses with no account yet go to the provider.
    member = Client().post(
        "/accounts/login/continue/", {"login": "member1@demo-bv.test"}, secure=True
    )
    assert member.context["provider_url"].startswith(issuer)
    assert password_refused("member1@demo-bv.test")
    assert password_refused("nobody-yet@demo-bv.test")
