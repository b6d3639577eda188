"""A company's office addresses (Sign-in settings) are exempt from the per-address
throttle for the accounts of that company: an office behind one NAT address is not
throttled because of failures across accounts; the per-account block still applies, and
the address stays throttled for every other company's accounts."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from kluis.access.actor import Actor
from kluis.identity import brute_force
from kluis.identity.models import SignInPolicy
from kluis.identity.policy import address_allowed, address_exempt_for_login
from kluis.identity.policy_service import change_policy

OFFICE_NAT = "127.0.0.9"


def _allow(tenant: Any, networks: list[str]) -> None:
    change_policy(
        Actor.system("test", tenant),
        tenant,
        mfa_required_for=SignInPolicy.Mfa.OFF,
        idle_timeout_seconds=3600,
        absolute_lifetime_seconds=12 * 3600,
        allowed_networks=networks,
    )


def _sign_in(email: str, password: str) -> Any:
    client = Client(REMOTE_ADDR=OFFICE_NAT)
    return client, client.post(
        "/accounts/login/", {"login": email, "password": password}, secure=True
    )


def test_addresses_and_networks_on_the_list(demo):
    _allow(demo["demo-bv"], ["127.0.0.0/24", "2001:db8::/48", "192.0.2.7"])
    assert address_allowed(demo["demo-bv"], "127.0.0.9")
    assert address_allowed(demo["demo-bv"], "2001:db8::5")
    assert address_allowed(demo["demo-bv"], "192.0.2.7")
    assert not address_allowed(demo["demo-bv"], "192.0.2.8")
    assert not address_allowed(demo["demo-bv"], "not an address")
    assert not address_allowed(demo["other-nv"], "127.0.0.9")
    assert address_exempt_for_login("HR@demo-bv.test", "127.0.0.9")
    assert not address_exempt_for_login("hr@other-nv.test", "127.0.0.9")
    assert not address_exempt_for_login("nobody@demo-bv.test", "127.0.0.9")


def test_an_office_on_the_list_is_not_throttled_for_its_own_accounts(demo):
    for i in range(brute_force.THROTTLE_AFTER):
        brute_force.failed(f"typo{i}@demo-bv.test", OFFICE_NAT)
    _client, response = _sign_in("hr@demo-bv.test", settings.DEMO_PASSWORD)
    assert response.status_code == 429  # not on the list yet
    _allow(demo["demo-bv"], ["127.0.0.0/24"])
    client, response = _sign_in("hr@demo-bv.test", settings.DEMO_PASSWORD)
    assert response.status_code == 302 and "_auth_user_id" in client.session
    # Another company's account from the same address stays throttled.
    _client, response = _sign_in("hr@other-nv.test", settings.DEMO_PASSWORD)
    assert response.status_code == 429


def test_the_per_account_block_still_applies_on_the_list(demo):
    _allow(demo["demo-bv"], ["127.0.0.0/24"])
    for _ in range(brute_force.BLOCK_AFTER):
        brute_force.failed("hr@demo-bv.test", OFFICE_NAT)
    with pytest.raises(brute_force.AccountBlocked):
        brute_force.check("hr@demo-bv.test", OFFICE_NAT)


def test_an_office_signs_in_forty_people_in_a_minute_from_one_address(demo):
    """allauth's default limit on sign-ins (30 a minute per address) would refuse the 31st
    person behind an office's one network address; Kluis raises it to a flood guard."""
    from kluis.tenancy.models import Membership

    people = list(
        Membership.objects.filter(is_active=True, user__is_active=True)
        .exclude(user__authenticator__isnull=False)  # a password alone signs them in
        .values_list("user__email", flat=True)
        .distinct()
    )
    assert len(people) >= 10
    signed = 0
    for attempt in range(40):
        client = Client(REMOTE_ADDR="127.0.0.44")
        response = client.post(
            "/accounts/login/",
            {"login": people[attempt % len(people)], "password": settings.DEMO_PASSWORD},
            secure=True,
        )
        signed += response.status_code == 302 and "_auth_user_id" in client.session
    assert signed == 40
