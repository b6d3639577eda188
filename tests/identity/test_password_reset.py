"""Password reset (issue 13): the answer never tells whether an address has an account,
only an account gets mail, a reset never signs anyone in (the second factor, where a
person has one, is asked at the sign-in that follows), and reset requests count against
the address throttle of kluis/identity/brute_force.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from kluis.identity.models import AddressFailures, User

from .mfa_helpers import add_totp, code, password_step, signed_in

KNOWN = "member1@demo-bv.test"
UNKNOWN = "nobody-here@demo-bv.test"
NEW_PASSWORD = "a brand new passphrase for kluis"


@pytest.fixture(autouse=True)
def _fresh_flood_guard() -> Any:
    cache.clear()
    yield
    cache.clear()


def request_reset(email: str, ip: str = "127.0.0.5") -> Any:
    """Ask for a reset; the mail is delivered by the worker, run here as it would."""
    response = Client(REMOTE_ADDR=ip).post(
        "/accounts/password/reset/", {"email": email}, secure=True, follow=True
    )
    deliver_queued()
    return response


def queued_deliveries() -> list[Any]:
    from django_tasks_db.models import DBTaskResult

    return list(
        DBTaskResult.objects.filter(task_path__endswith="deliver_reset_mail", status="READY")
    )


def deliver_queued() -> None:
    """Run the queued reset mails as the worker would."""
    for queued in queued_deliveries():
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()


def test_the_answer_is_the_same_whether_the_address_has_an_account_or_not(demo):
    known = request_reset(KNOWN)
    sent_to_known = list(mail.outbox)
    mail.outbox.clear()
    cache.clear()
    unknown = request_reset(UNKNOWN)
    assert known.status_code == unknown.status_code == 200
    assert known.redirect_chain == unknown.redirect_chain
    assert _without_tokens(known.content, KNOWN) == _without_tokens(unknown.content, UNKNOWN)
    # Mail only to an account; nothing to a stranger's address.
    assert [m.to for m in sent_to_known] == [[KNOWN]]
    assert mail.outbox == []


def _without_tokens(content: bytes, email: str) -> bytes:
    """The page less what differs per request (CSRF token, CSP nonce) and the address."""
    text = content.replace(email.encode(), b"")
    text = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", text)
    return re.sub(rb'nonce="[^"]+"', b"", text)


def test_the_login_page_links_to_the_reset(demo):
    page = Client().get("/accounts/login/", secure=True)
    assert b'href="/accounts/password/reset/"' in page.content


def reset_password(email: str) -> Client:
    """Request a reset, follow the e-mailed link and set NEW_PASSWORD; the browser."""
    request_reset(email)
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", mail.outbox[-1].body)
    assert link is not None
    path = link.group(0).split("testserver", 1)[1]
    person = Client()
    form = person.get(path, secure=True, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = person.post(
        set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, secure=True, follow=True
    )
    assert done.status_code == 200
    assert User.objects.get(email=email).check_password(NEW_PASSWORD)
    return person


def test_a_reset_signs_nobody_in_the_person_signs_in_afterwards(demo):
    person = reset_password(KNOWN)
    assert "_auth_user_id" not in person.session  # ACCOUNT_LOGIN_ON_PASSWORD_RESET=False
    assert person.get("/", secure=True).status_code == 302  # still signed out
    # The sign-in that follows goes through the ordinary sign-in (and its second factor).
    signed = person.post(
        "/accounts/login/", {"login": KNOWN, "password": NEW_PASSWORD}, secure=True
    )
    assert signed.status_code == 302
    assert int(person.session["_auth_user_id"]) == User.objects.get(email=KNOWN).pk


def test_a_reset_never_skips_the_second_factor(demo):
    secret = add_totp(User.objects.get(email=KNOWN))
    person = reset_password(KNOWN)
    assert not signed_in(person)
    # The new password alone does not sign in: the second factor is still asked for.
    answer = password_step(person, KNOWN, NEW_PASSWORD)
    assert answer.status_code == 302 and answer["Location"].endswith("/accounts/2fa/authenticate/")
    assert not signed_in(person) and person.get("/", secure=True).status_code == 302
    wrong = person.post("/accounts/2fa/authenticate/", {"code": "000000"}, secure=True)
    assert wrong.status_code == 200 and not signed_in(person)
    person.post("/accounts/2fa/authenticate/", {"code": code(secret)}, secure=True)
    assert signed_in(person)  # the factor survived the reset and is what let them in


def test_reset_requests_count_against_the_address_and_a_flood_gets_429(demo, settings):
    settings.SIGNIN_ADDRESS_LIMIT = 3
    flooder = "127.0.0.9"
    for n in range(3):
        cache.clear()  # past allauth's per-minute flood guard: Kluis's own count is tested
        assert request_reset(f"someone{n}@demo-bv.test", flooder).status_code == 200
    assert AddressFailures.objects.get(ip=flooder).failures == 3
    cache.clear()
    mail.outbox.clear()
    refused = request_reset(KNOWN, flooder)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert mail.outbox == []  # refused before anything is looked up or sent
    # The same request from another address goes through.
    assert request_reset(KNOWN, "127.0.0.2").status_code == 200
    assert [m.to for m in mail.outbox] == [[KNOWN]]


def test_an_app_s_reset_requests_count_against_the_address_too(demo, settings):
    """allauth headless's reset request (/auth/app/v1/auth/password/request) is the same
    request as the web's: it counts against the address and a flood gets 429."""
    import json

    settings.SIGNIN_ADDRESS_LIMIT = 3
    flooder = "127.0.0.9"
    app = Client(REMOTE_ADDR=flooder)

    def app_reset(email: str) -> Any:
        return app.post(
            "/auth/app/v1/auth/password/request",
            json.dumps({"email": email}),
            content_type="application/json",
            secure=True,
        )

    for n in range(3):
        cache.clear()  # past allauth's per-minute flood guard: Kluis's own count is tested
        assert app_reset(f"someone{n}@demo-bv.test").status_code == 200
    assert AddressFailures.objects.get(ip=flooder).failures == 3
    cache.clear()
    mail.outbox.clear()
    refused = app_reset(KNOWN)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert mail.outbox == []
    # The web's reset page from that address is throttled as well: one count.
    cache.clear()
    assert request_reset(KNOWN, flooder).status_code == 429


def test_a_reset_request_does_the_same_work_whether_the_address_has_an_account(demo):
    """No timing oracle: the request queues the mail for the worker in both cases (an
    account's for it, a stranger's for no one); nothing is sent from the request itself
    (measured against `kluis up`: about 33 ms for an address with an account against 15 ms
    without, while the mail was sent in the request). And the queue holds no key: the
    worker makes it when it sends, so no stored task opens an account."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    sent: list[str] = []
    for email in (KNOWN, UNKNOWN):
        cache.clear()
        mail.outbox.clear()
        answer = Client(REMOTE_ADDR="127.0.0.5").post(
            "/accounts/password/reset/", {"email": email}, secure=True
        )
        assert answer.status_code == 302
        assert mail.outbox == []  # not sent from the request
        [queued] = queued_deliveries()
        stored = json.dumps(queued.args_kwargs)
        assert "/accounts/password/reset/key/0-kluisresetkey/" in stored  # a placeholder
        known = User.objects.filter(email=KNOWN).first()
        assert known is not None
        assert queued.args_kwargs["args"][0] == (known.pk if email == KNOWN else None)
        deliver_queued()
        assert [m.to for m in mail.outbox] == ([[KNOWN]] if email == KNOWN else [])
        sent += [m.body for m in mail.outbox]
    # The key in the mail is the worker's (it opens the form: `reset_password` below).
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+/", sent[0])
    assert link is not None and "kluisresetkey" not in link.group(0)


def test_a_reset_request_runs_the_same_statements_whether_the_address_has_an_account(demo):
    """The same database work either way (the address count looks up the companies of an
    address without an account too): no statement more for a real account to time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for email in (KNOWN, UNKNOWN):  # the address's count row and allauth's address row
        cache.clear()
        Client(REMOTE_ADDR="127.0.0.6").post(
            "/accounts/password/reset/", {"email": email}, secure=True
        )
    for email in (KNOWN, UNKNOWN):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            Client(REMOTE_ADDR="127.0.0.6").post(
                "/accounts/password/reset/", {"email": email}, secure=True
            )
        counts[email] = len(queries)
    assert counts[KNOWN] == counts[UNKNOWN], counts
