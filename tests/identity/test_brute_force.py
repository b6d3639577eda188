"""Brute-force protection of sign-in (Auth0's model): ten failures for one account from
one address block it from that address only; an address spraying accounts is throttled
(429); blocks lift on a password change, by an administrator, or after 30 days."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.identity import brute_force
from kluis.identity.models import AddressFailures, SignInFailures, User
from kluis.tenancy.models import Membership

VICTIM = "hr@demo-bv.test"
WRONG = "a wrong password, long enough"
ATTACKER = "127.0.0.9"
OFFICE = "127.0.0.2"


def sign_in(email: str, password: str, ip: str) -> tuple[Client, Any]:
    client = Client(REMOTE_ADDR=ip)
    response = client.post("/accounts/login/", {"login": email, "password": password}, secure=True)
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(email: str, ip: str, times: int) -> None:
    for _ in range(times):
        client, response = sign_in(email, WRONG, ip)
        assert response.status_code == 200 and not signed_in(client)
        cache.clear()  # not allauth's flood guard: Kluis's own counts are under test


def test_ten_failures_block_the_account_from_that_address_only(demo):
    fail(VICTIM, ATTACKER, 9)
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert signed_in(client)  # nine are not enough, and a success starts again
    fail(VICTIM, ATTACKER, 10)
    client, response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert not signed_in(client)
    assert b"Too many failed sign-ins for this account from your network" in response.content
    # The owner, from another address, is not locked out.
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, OFFICE)
    assert signed_in(client)
    blocked = AuditEvent.objects.filter(action="signin.blocked", object_repr=VICTIM)
    assert blocked.exists()
    assert blocked.first().changes == {"ip": ATTACKER, "failures": 10}


def test_a_blocked_attempt_never_reaches_the_password_check(demo, monkeypatch):
    fail(VICTIM, ATTACKER, 10)
    checked: list[str] = []
    original = User.check_password

    def spy(self: User, raw: str) -> bool:
        checked.append(self.email)
        return original(self, raw)

    monkeypatch.setattr(User, "check_password", spy)
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert not signed_in(client)
    assert checked == []


def test_an_unknown_address_gets_the_same_answers_as_a_real_one(demo):
    fail("nobody@demo-bv.test", ATTACKER, 10)
    _client, unknown = sign_in("nobody@demo-bv.test", WRONG, ATTACKER)
    fail(VICTIM, ATTACKER, 10)
    _client, real = sign_in(VICTIM, WRONG, ATTACKER)
    assert unknown.status_code == real.status_code == 200
    message = b"Too many failed sign-ins for this account from your network"
    assert message in unknown.content and message in real.content
    # Addresses tried are not stored in clear.
    assert not SignInFailures.objects.filter(account__icontains="nobody").exists()


def test_a_new_password_lifts_the_block(demo):
    fail(VICTIM, ATTACKER, 10)
    user = User.objects.get(email=VICTIM)
    client = Client(REMOTE_ADDR=OFFICE)
    client.force_login(user)
    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": settings.DEMO_PASSWORD,
            "password1": "a brand new passphrase of many words",
            "password2": "a brand new passphrase of many words",
        },
        secure=True,
    )
    assert response.status_code == 302, response.content[:300]
    client, _response = sign_in(VICTIM, "a brand new passphrase of many words", ATTACKER)
    assert signed_in(client)
    assert AuditEvent.objects.filter(action="signin.unblocked", object_repr=VICTIM).exists()


def test_a_block_lifts_thirty_days_after_the_last_failure(demo):
    fail(VICTIM, ATTACKER, 10)
    later = timezone.now() + dt.timedelta(days=30, minutes=1)
    brute_force.check(VICTIM, ATTACKER, now=later)  # no longer refused
    with pytest.raises(brute_force.AccountBlocked):
        brute_force.check(VICTIM, ATTACKER, now=timezone.now() + dt.timedelta(days=29))


def test_an_administrator_lifts_a_block(demo):
    fail(VICTIM, ATTACKER, 10)
    assert brute_force.unblock(VICTIM, reason="lifted by the operator") == 1
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert signed_in(client)


def test_an_address_spraying_accounts_is_throttled_with_429(demo):
    for i in range(brute_force.THROTTLE_AFTER):
        brute_force.failed(f"sprayed{i}@demo-bv.test", ATTACKER)
    client, response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert response.status_code == 429
    assert b"Too many failed sign-ins came from your network" in response.content
    assert not signed_in(client)
    assert 0 < int(response["Retry-After"]) <= 14 * 60 + 24
    # Another address is not throttled.
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, OFFICE)
    assert signed_in(client)
    # One attempt per 14.4 minutes once throttled.
    address = AddressFailures.objects.get(ip=ATTACKER)
    after = address.last_failure_at + brute_force.THROTTLE_INTERVAL
    brute_force.check(VICTIM, ATTACKER, now=after + dt.timedelta(seconds=1))
    with pytest.raises(brute_force.AddressThrottled):
        brute_force.check(VICTIM, ATTACKER, now=after - dt.timedelta(seconds=1))
    # After the 24-hour window the count starts again.
    brute_force.failed(
        "late@demo-bv.test",
        ATTACKER,
        now=address.window_started_at + dt.timedelta(hours=24, seconds=1),
    )
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 1


def _queued_unblock_mail() -> Any:
    """Run the queued e-mail task as the worker would; the message it sent."""
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    queued = DBTaskResult.objects.filter(task_path__endswith="send_unblock_link")
    assert queued.count() == 1
    task = queued.get()
    task.task.call(*task.args_kwargs["args"], **task.args_kwargs["kwargs"])
    assert len(mail.outbox) == 1
    return mail.outbox[0]


def test_the_owner_is_emailed_a_link_that_lifts_the_block(demo, django_capture_on_commit_callbacks):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        fail(VICTIM, ATTACKER, 10)
    message = _queued_unblock_mail()
    assert message.to == [VICTIM]
    assert ATTACKER in message.body
    link = re.search(r"https://\S+/accounts/unblock/\S+/", message.body).group(0)
    path = link.split("testserver", 1)[1]
    client = Client()
    page = client.get(path, secure=True)  # a mail scanner's visit lifts nothing
    assert page.status_code == 200 and ATTACKER.encode() in page.content
    _client, still = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert b"Too many failed sign-ins" in still.content
    lifted = client.post(path, secure=True)
    assert lifted.status_code == 302
    signed_in_client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, ATTACKER)
    assert signed_in(signed_in_client)
    event = AuditEvent.objects.filter(action="signin.unblocked", object_repr=VICTIM).first()
    assert event is not None and event.changes["reason"] == "unblock link"


def test_no_mail_for_an_address_without_an_account_and_a_forged_link_lifts_nothing(
    demo, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        fail("nobody@demo-bv.test", ATTACKER, 10)
    assert mail.outbox == []
    fail(VICTIM, ATTACKER, 10)
    forged = Client().post("/accounts/unblock/eyJhIjoieCJ9:forged:signature/", secure=True)
    assert forged.status_code == 400
    with pytest.raises(brute_force.AccountBlocked):
        brute_force.check(VICTIM, ATTACKER)


def test_the_owners_of_the_companies_an_address_tried_are_told_when_it_is_throttled(
    demo, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        brute_force.failed(VICTIM, ATTACKER)  # one account of Demo BV among made-up ones
        for i in range(brute_force.THROTTLE_AFTER - 1):
            brute_force.failed(f"sprayed{i}@nowhere.test", ATTACKER)
    demo_bv = demo["demo-bv"]
    throttled = AuditEvent.objects.filter(action="signin.address_throttled")
    assert [(e.tenant_id, e.changes) for e in throttled] == [
        (demo_bv.pk, {"ip": ATTACKER, "failures": brute_force.THROTTLE_AFTER})
    ]
    queued = DBTaskResult.objects.filter(task_path__endswith="send_throttle_notice").get()
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
    owners = sorted(
        Membership.objects.for_tenant(demo_bv)
        .filter(role_assignments__role__builtin_key="owner")
        .values_list("user__email", flat=True)
    )
    assert owners and [sorted(m.to) for m in mail.outbox] == [owners]
    assert ATTACKER in mail.outbox[0].body and "allow list" in mail.outbox[0].body
    # Further failures in the window tell nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        brute_force.failed(VICTIM, ATTACKER)
    assert throttled.count() == 1


def test_an_address_guessing_api_secrets_is_told_to_the_clients_company(demo):
    import base64

    from kluis.access.actor import Actor
    from kluis.integrations.services import create_api_client

    tenant = demo["other-nv"]
    client, _secret = create_api_client(
        Actor.system("tests", tenant), tenant, "Payroll", ["employees:read"]
    )
    for i in range(brute_force.THROTTLE_AFTER - 1):
        brute_force.failed(f"sprayed{i}@nowhere.test", ATTACKER)
    assert not AuditEvent.objects.filter(action="signin.address_throttled").exists()
    guess = base64.b64encode(f"{client.client_id}:a-guessed-secret".encode()).decode()
    response = Client(REMOTE_ADDR=ATTACKER).get(
        "/api/v1/employees/", HTTP_AUTHORIZATION=f"Basic {guess}", secure=True
    )
    assert response.status_code == 401
    throttled = AuditEvent.objects.filter(action="signin.address_throttled")
    assert list(throttled.values_list("tenant_id", flat=True)) == [tenant.pk]


def test_a_sign_in_costs_one_hash_whether_the_account_exists_or_not(demo, monkeypatch):
    """No enumeration by timing (ASVS 6.3.8): an address no account has still costs one
    Argon2 computation, like a wrong password for a real account; the answer is the same."""
    import argon2

    hashed: list[int] = []
    original_hash, original_verify = argon2.low_level.hash_secret, argon2.PasswordHasher.verify

    def counted_hash(*args: Any, **kwargs: Any) -> Any:
        hashed.append(1)
        return original_hash(*args, **kwargs)

    def counted_verify(self: Any, *args: Any, **kwargs: Any) -> Any:
        hashed.append(1)
        return original_verify(self, *args, **kwargs)

    monkeypatch.setattr(argon2.low_level, "hash_secret", counted_hash)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", counted_verify)
    answers = []
    for login in (VICTIM, "nobody-at-all@demo-bv.test"):
        hashed.clear()
        _client, response = sign_in(login, WRONG, OFFICE)
        answers.append((response.status_code, len(hashed)))
        text = response.content.decode()
        assert "The email address and/or password you specified are not correct." in text
    assert answers == [(200, 1), (200, 1)]


def test_refused_attempts_still_count_towards_the_address_throttle(demo):
    """An attempt refused because the account is blocked from the address, or by allauth's
    flood guard, is still an attempt of that address: the throttle (after which every
    attempt is a cheap 429) comes after 100 attempts, not 100 password checks."""
    fail(VICTIM, ATTACKER, 10)  # blocks the victim from the attacker's address
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 10
    for _ in range(5):
        _client, response = sign_in(VICTIM, WRONG, ATTACKER)
        assert "Too many failed sign-ins" in response.content.decode()
        cache.clear()
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 15
    for n in range(35):  # past allauth's flood guard (30 failures a minute per address)
        sign_in(f"nobody{n}@demo-bv.test", WRONG, ATTACKER)
    assert AddressFailures.objects.get(ip=ATTACKER).failures == 15 + 35


def test_an_ipv6_client_is_counted_by_its_64(demo):
    """A host on an IPv6 network picks any of 2**64 addresses: counted one by one, each
    would get ten guesses at an account. The block and the throttle hold for the /64;
    another network is unaffected."""
    network = "2001:db8:1:2::"
    for host in range(brute_force.BLOCK_AFTER):
        client, response = sign_in(VICTIM, WRONG, f"2001:db8:1:2::{host + 1:x}")
        assert response.status_code == 200 and not signed_in(client)
        cache.clear()  # not allauth's flood guard
    # The next address of the same /64 is blocked for the account, right password or not.
    client, response = sign_in(VICTIM, settings.DEMO_PASSWORD, "2001:db8:1:2:ffff:1:2:3")
    assert not signed_in(client)
    assert b"Too many failed sign-ins for this account from your network" in response.content
    assert SignInFailures.objects.get(ip=network).blocked_at is not None
    # Another network signs in.
    client, _response = sign_in(VICTIM, settings.DEMO_PASSWORD, "2001:db8:1:3::1")
    assert signed_in(client)
    # The address throttle counts the /64 too, whichever host of it tries.
    for i in range(brute_force.THROTTLE_AFTER):
        brute_force.failed(f"sprayed{i}@demo-bv.test", f"2001:db8:9:9::{i + 1:x}")
    _client, response = sign_in(VICTIM, settings.DEMO_PASSWORD, "2001:db8:9:9:abcd::1")
    assert response.status_code == 429
    assert AddressFailures.objects.filter(ip="2001:db8:9:9::").exists()
    # IPv4 (also written as IPv4-mapped IPv6) is counted as itself.
    assert brute_force.counted_address("::ffff:192.0.2.7") == "192.0.2.7"
    assert brute_force.counted_address("192.0.2.7") == "192.0.2.7"
    assert brute_force.counted_address("not an address") is None
