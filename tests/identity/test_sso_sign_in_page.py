"""The sign-in page asks for the e-mail address first (without JavaScript: a plain form
posts it), and a company may forbid password sign-in for its people; owners with a
second factor keep a break-glass path."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kluis.identity.models import IdentityProvider
from kluis.identity.sso import policy
from tests.identity.sso_support import CraftedProvider, configure

OWNER = "owner@demo-bv.test"


@pytest.fixture
def demo_sso(demo: Any) -> Iterator[IdentityProvider]:
    with CraftedProvider() as provider:
        yield configure(demo["demo-bv"], provider.issuer, "demo-bv.test")


def password_sign_in(email: str) -> Any:
    return Client().post(
        "/accounts/login/", {"login": email, "password": settings.DEMO_PASSWORD}, secure=True
    )


def test_the_sign_in_page_asks_for_the_e_mail_address_first(db):
    page = Client().get("/accounts/login/", secure=True).content.decode()

    assert 'action="/accounts/login/continue/"' in page
    assert 'name="login"' in page and 'name="password"' not in page


def test_an_address_without_single_sign_on_continues_to_the_password(db):
    response = Client().post("/accounts/login/continue/", {"login": OWNER}, secure=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="password"' in page and f'value="{OWNER}"' in page
    assert 'action="/accounts/login/"' in page


def test_a_typo_in_the_address_is_shown_on_the_first_step(db):
    response = Client().post("/accounts/login/continue/", {"login": "owner@"}, secure=True)

    assert "Enter a valid e-mail address." in response.content.decode()


def test_the_password_button_skips_the_provider(demo_sso):
    response = Client().post(
        "/accounts/login/continue/", {"login": OWNER, "use_password": "1"}, secure=True
    )

    assert response.status_code == 200 and 'name="password"' in response.content.decode()


def test_passwords_keep_working_while_the_company_allows_them(demo_sso):
    assert password_sign_in(OWNER).status_code == 302


def test_a_company_that_forbids_passwords_refuses_them(demo_sso):
    IdentityProvider.objects.filter(pk=demo_sso.pk).update(password_sign_in_allowed=False)

    response = password_sign_in("hr@demo-bv.test")

    assert response.status_code == 200
    assert "signs in through its single sign-on" in response.content.decode()
    assert "_auth_user_id" not in response.client.session
    # The same answer for an address no account has (no enumeration).
    unknown = password_sign_in("nobody@demo-bv.test").content.decode()
    assert "signs in through its single sign-on" in unknown
    # Another company's people are unaffected.
    assert password_sign_in("owner@other-nv.test").status_code == 302


def test_an_owner_without_a_second_factor_has_no_break_glass_path(demo_sso):
    IdentityProvider.objects.filter(pk=demo_sso.pk).update(password_sign_in_allowed=False)

    assert policy.password_refused(OWNER)
    assert password_sign_in(OWNER).status_code == 200


def test_a_member_of_a_forbidding_company_with_another_domain_is_refused_too(demo_sso):
    IdentityProvider.objects.filter(pk=demo_sso.pk).update(password_sign_in_allowed=False)

    assert policy.password_refused("consultant@kluis.test")
    assert not policy.password_refused("employee@other-nv.test")
