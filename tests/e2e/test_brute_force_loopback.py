"""Brute-force protection against a real server over real TCP, attacker and victim on
different source addresses of the loopback network (127.0.0.3 and 127.0.0.2): ten wrong
passwords block the account from the attacker's address only, the victim signs in from
their own, the owner is e-mailed an unblock link that works, and an address spraying
accounts gets 429 with Retry-After. Bounded: about 60 requests.

This server lowers the per-address limit to 20 (KLUIS_SIGNIN_ADDRESS_LIMIT, as an operator
may) so that the spray stays under allauth's own flood guard of 30 failures a minute per
address; the default of 100 is proven in-process (tests/identity/test_brute_force.py).
Its tasks run at once (the immediate backend), so its e-mails are in its log. The same over
loopback for TOTP codes and password reset: test_brute_force_loopback_factors.py."""

from __future__ import annotations

import html
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from tests.e2e.conftest import KluisServer, running_kluis
from tests.e2e.loopback import Visitor, mail_text, unblock_link

VICTIM = "member3@demo-bv.test"
VICTIM_ADDRESS = "127.0.0.2"
ATTACKER = "127.0.0.3"
SPRAYER = "127.0.0.4"
ADDRESS_LIMIT = 20


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    with running_kluis(
        tmp_path_factory.mktemp("kluis-brute-force"),
        KLUIS_SIGNIN_ADDRESS_LIMIT=str(ADDRESS_LIMIT),
        KLUIS_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    ) as running:
        yield running


def test_the_block_after_ten_holds_for_the_attackers_address_only(server):
    attacker = Visitor(server, ATTACKER)
    for attempt in range(10):
        answer = attacker.sign_in(VICTIM, f"wrong password number {attempt}")
        assert answer.status == 200 and not answer.signed_in
    blocked = attacker.sign_in(VICTIM, settings.DEMO_PASSWORD)
    assert not blocked.signed_in
    assert "Too many failed sign-ins for this account from your network" in html.unescape(
        blocked.text
    )
    # The victim, from their own address, signs in at once.
    assert Visitor(server, VICTIM_ADDRESS).sign_in(VICTIM, settings.DEMO_PASSWORD).signed_in

    # The owner got an e-mail naming the address, with a link that lifts the block.
    link = unblock_link(server)
    assert f"from the address {ATTACKER}" in " ".join(mail_text(server).split())
    path = urlsplit(link).path
    owner = Visitor(server, VICTIM_ADDRESS)
    page = owner.request("GET", path)
    assert page.status == 200 and ATTACKER in page.text
    lifted = owner.request("POST", path, {"csrfmiddlewaretoken": page.csrf_token()})
    assert lifted.status in (200, 302)
    assert Visitor(server, ATTACKER).sign_in(VICTIM, settings.DEMO_PASSWORD).signed_in


def test_an_address_spraying_accounts_gets_429(server):
    sprayer = Visitor(server, SPRAYER)
    for number in range(ADDRESS_LIMIT):
        answer = sprayer.sign_in(f"person{number}@demo-bv.test", "a guessed password 123")
        assert answer.status == 200 and not answer.signed_in
    throttled = sprayer.sign_in(VICTIM, settings.DEMO_PASSWORD)
    assert throttled.status == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 24 * 3600 // ADDRESS_LIMIT
    # Everyone else is unaffected.
    assert Visitor(server, VICTIM_ADDRESS).sign_in(VICTIM, settings.DEMO_PASSWORD).signed_in
