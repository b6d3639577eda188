"""Brute-force protection against a real server over real TCP, attacker and victim on
different source addresses of the loopback network (127.0.0.3 and 127.0.0.2): ten wrong
passwords block the account from the attacker's address only, the victim signs in from
their own, the owner is e-mailed an unblock link that works, and an address spraying
accounts gets 429 with Retry-After. Bounded: about 60 requests.

This server lowers the per-address limit to 20 (KLUIS_SIGNIN_ADDRESS_LIMIT, as an operator
may) so that the spray stays under allauth's own flood guard of 30 failures a minute per
address; the default of 100 is proven in-process (tests/identity/test_brute_force.py).
Its tasks run at once (the immediate backend), so its e-mails are in its log."""

from __future__ import annotations

import html
import http.client
import quopri
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings

from tests.e2e.conftest import KluisServer, running_kluis, unverified_tls

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


@dataclass
class Visitor:
    """A browser without a screen: one source address, its own cookies."""

    server: KluisServer
    source: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            self.server.port,
            source_address=(self.source, 0),
            context=unverified_tls(),
            timeout=30,
        )
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = self.server.url + path
            headers["Origin"] = self.server.url
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode(errors="replace")
            for header in answer.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Response(answer.status, {k.lower(): v for k, v in answer.headers.items()}, text)
        finally:
            connection.close()

    def sign_in(self, email: str, password: str) -> Response:
        page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, page.text[:500]
        return self.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token.group(1), "login": email, "password": password},
        )


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def signed_in(self) -> bool:
        return self.status == 302 and "/accounts/" not in self.headers.get("location", "")


def mail_text(server: KluisServer) -> str:
    """The server's log with the console mailer's quoted-printable lines decoded."""
    raw = server.log.read_bytes()
    return quopri.decodestring(raw).decode(errors="replace")


def unblock_link(server: KluisServer) -> str:
    """The unblock link of the e-mail the server printed (the console mailer)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        log = mail_text(server)
        found = re.findall(r"https://\S+/accounts/unblock/[^/\s]+/", log)
        if found:
            return found[-1]
        time.sleep(0.2)
    raise AssertionError("no unblock e-mail in the server log:\n" + server.log_tail())


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
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token
    lifted = owner.request("POST", path, {"csrfmiddlewaretoken": token.group(1)})
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
