"""Brute-force protection of the second factor and of password reset against a real
server over real TCP, each party on its own source address of the loopback network:

- TOTP: an attacker who knows the password (127.0.0.3) enters ten wrong codes; the account
  is then blocked from that address (even the right code, even the password step), the
  owner is e-mailed an unblock link, and the owner signs in with password and code from
  their own address (127.0.0.2).
- Password reset: every reset request counts against its address, so a flood from one
  address (127.0.0.4) gets 429 with Retry-After, while another address still asks a reset
  for the victim, whose e-mail arrives and whose link sets a new password; an unknown
  e-mail address gets the same answer as a real one (127.0.0.5).

Bounded: about 60 requests, and at most one wait for the next 30 s TOTP step. This server
lowers the per-address limit to 12 (KLUIS_SIGNIN_ADDRESS_LIMIT, as an operator may): above
the attacker's ten wrong codes (which count against the address too), below allauth's own
flood guard for reset requests (20 a minute per address), so the 429 seen is Kluis's. Its
tasks run at once (the immediate backend), so its e-mails are in its log."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pyotp
import pytest
from django.conf import settings

from kluis.company.demo import MFA_DEMO_EMAIL, MFA_DEMO_SECRET
from tests.e2e.conftest import KluisServer, running_kluis
from tests.e2e.loopback import Response, Visitor, find_link, log_size, mail_text, unblock_link

OWNER = "127.0.0.2"
ATTACKER = "127.0.0.3"
FLOODER = "127.0.0.4"
PROBER = "127.0.0.5"
ADDRESS_LIMIT = 12
TOTP_STEP = 30
RESET = "/accounts/password/reset/"
RESET_VICTIM = "member1@demo-bv.test"
NEW_PASSWORD = "a brand new passphrase for kluis"
BLOCKED = "Too many failed sign-ins for this account from your network"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KluisServer]:
    with running_kluis(
        tmp_path_factory.mktemp("kluis-brute-force-factors"),
        KLUIS_SIGNIN_ADDRESS_LIMIT=str(ADDRESS_LIMIT),
        KLUIS_TASKS_BACKEND="django.tasks.backends.immediate.ImmediateBackend",
    ) as running:
        yield running


def totp_code(after_step: int = -1) -> tuple[int, str]:
    """A code of the demo's authenticator (pyotp) and its 30 s step: of a step later than
    `after_step` (a code is accepted once, and only in its own step: MFA_TOTP_TOLERANCE=0),
    and never one about to expire before the server checks it."""
    while True:
        now = time.time()
        step = int(now // TOTP_STEP)
        left = TOTP_STEP - now % TOTP_STEP
        if step > after_step and left > 3:
            return step, str(pyotp.TOTP(MFA_DEMO_SECRET).at(now))
        time.sleep(left + 0.1)


def enter_code(visitor: Visitor, code: str) -> Response:
    return visitor.submit("/accounts/2fa/authenticate/", {"code": code})


def password_step(visitor: Visitor) -> Response:
    """The password of the demo's login with an authenticator app: the code is asked next."""
    answer = visitor.sign_in(MFA_DEMO_EMAIL, settings.DEMO_PASSWORD)
    assert answer.status == 302 and answer.location.endswith("/accounts/2fa/authenticate/")
    return answer


def test_ten_wrong_codes_block_the_account_from_that_address_the_owner_signs_in_elsewhere(
    server,
):
    mail_from = log_size(server)
    attacker = Visitor(server, ATTACKER)  # knows the password, not the second factor
    password_step(attacker)
    step, right = totp_code()
    wrong = f"{(int(right) + 500_000) % 1_000_000:06d}"  # never this step's code
    for _ in range(10):
        answer = enter_code(attacker, wrong)
        assert answer.status == 200 and not answer.signed_in
        assert "Incorrect code" in html.unescape(answer.text)
    # Blocked: the right code is refused before it is compared, ...
    refused = enter_code(attacker, right)
    assert refused.status == 200 and not refused.signed_in
    assert BLOCKED in html.unescape(refused.text)
    # ... and from that address even the password step is.
    again = Visitor(server, ATTACKER).sign_in(MFA_DEMO_EMAIL, settings.DEMO_PASSWORD)
    assert again.status == 200 and not again.signed_in
    assert BLOCKED in html.unescape(again.text)

    # The owner is e-mailed, naming the address, with a link to lift the block.
    link = unblock_link(server, mail_from)
    mail = " ".join(mail_text(server, mail_from).split())
    assert f"To: {MFA_DEMO_EMAIL}" in mail
    assert f"from the address {ATTACKER}" in mail
    page = Visitor(server, OWNER).request("GET", urlsplit(link).path)
    assert page.status == 200 and ATTACKER in page.text

    # The owner, from their own address, signs in with password and a code of their app
    # (of a later step than the refused one, so nothing depends on that code's fate).
    owner = Visitor(server, OWNER)
    password_step(owner)
    _step, code = totp_code(after_step=step)
    signed = enter_code(owner, code)
    assert signed.signed_in, (signed.status, signed.location, signed.text[:500])
    dashboard = owner.request("GET", signed.location)
    assert dashboard.status == 200 and "Other NV" in html.unescape(dashboard.text)


def request_reset(visitor: Visitor, email: str, token: str) -> Response:
    return visitor.request("POST", RESET, {"csrfmiddlewaretoken": token, "email": email})


def without_request_details(page: Response, email: str) -> str:
    """The page less what differs per request (CSRF token, CSP nonce) and the address."""
    text = page.text.replace(email, "")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'nonce="[^"]+"', "", text)


def test_an_unknown_address_gets_the_same_reset_answer_as_a_real_account(server):
    unknown = "nobody-here@demo-bv.test"
    mail_from = log_size(server)
    answers = {}
    for email in (RESET_VICTIM, unknown):
        prober = Visitor(server, PROBER)
        sent = request_reset(prober, email, prober.request("GET", RESET).csrf_token())
        done = prober.request("GET", sent.location)
        answers[email] = (sent.status, sent.location, without_request_details(done, email))
    assert answers[RESET_VICTIM][0] == 302 and answers[RESET_VICTIM][2]
    assert answers[RESET_VICTIM] == answers[unknown]
    # Mail only to the account; nothing to a stranger's address.
    find_link(server, r"https://\S+/accounts/password/reset/key/\S+/", mail_from)
    mail = mail_text(server, mail_from)
    assert f"To: {RESET_VICTIM}" in mail and unknown not in mail


def test_a_flood_of_reset_requests_gets_429_another_address_still_resets(server):
    flooder = Visitor(server, FLOODER)
    token = flooder.request("GET", RESET).csrf_token()
    mail_from = log_size(server)
    for number in range(ADDRESS_LIMIT):  # each to another address: past allauth's 5 per e-mail
        sent = request_reset(flooder, f"someone{number}@demo-bv.test", token)
        assert sent.status == 302 and sent.location.endswith("/accounts/password/reset/done/")
    throttled = request_reset(flooder, RESET_VICTIM, token)
    assert throttled.status == 429
    assert 0 < int(throttled.headers["retry-after"]) <= 24 * 3600 // ADDRESS_LIMIT
    assert "Too many failed sign-ins came from your network" in html.unescape(throttled.text)
    assert RESET_VICTIM not in mail_text(server, mail_from)  # refused before any mail

    # Another address asks a reset for the victim: the e-mail arrives, its link works.
    victim = Visitor(server, OWNER)
    sent = request_reset(victim, RESET_VICTIM, victim.request("GET", RESET).csrf_token())
    assert sent.status == 302
    link = find_link(server, r"https://\S+/accounts/password/reset/key/\S+/", mail_from)
    assert f"To: {RESET_VICTIM}" in mail_text(server, mail_from)
    form = victim.request("GET", urlsplit(link).path)
    if form.status == 302:  # allauth moves the key out of the URL into the session
        set_path = form.location
        form = victim.request("GET", set_path)
    else:
        set_path = urlsplit(link).path
    assert form.status == 200 and 'name="password1"' in form.text
    new = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    reset = victim.request("POST", set_path, {"csrfmiddlewaretoken": form.csrf_token(), **new})
    assert reset.status == 302 and not reset.signed_in  # a reset signs nobody in
    assert Visitor(server, OWNER).sign_in(RESET_VICTIM, NEW_PASSWORD).signed_in
