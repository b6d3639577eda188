"""Signing in with the cache on Redis, and while Redis is away: a password sign-in is
answered (allauth's rate-limit locks work in the process meanwhile, not 429), a TOTP code
is accepted once across every process while Redis is there and refused while it is away
(a code's one-time use cannot be checked across nodes then), and a recovery code, checked
in the database, still signs in."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from kluis.identity.models import User
from tests.identity.mfa_helpers import (
    add_totp,
    code,
    password_step,
    recovery_codes,
    signed_in,
)

# Redis, S3, the broker and their settings behave alike on either database: the PostgreSQL
# stage leaves this module out (the several-node tests run them there on PostgreSQL).
pytestmark = [pytest.mark.django_db, pytest.mark.engine_independent]

EMAIL = "member1@demo-bv.test"
OTHER = "member2@demo-bv.test"
THIRD = "member3@demo-bv.test"


def _second_step(email: str, answer: str) -> Client:
    client = Client()
    response = password_step(client, email)
    assert response.status_code == 302 and response["Location"].endswith("/2fa/authenticate/")
    client.post("/accounts/2fa/authenticate/", {"code": answer}, secure=True)
    return client


def test_a_totp_code_is_used_once_and_refused_while_redis_is_away(demo, on_redis, redis_server):
    user = User.objects.get(email=EMAIL)
    secret = add_totp(user)
    third = add_totp(User.objects.get(email=THIRD))
    once = code(secret)
    assert signed_in(_second_step(EMAIL, once))
    assert not signed_in(_second_step(EMAIL, once))  # the mark is in Redis

    redis_server.stop()
    # A password is checked in the database: answered, signed in (no 429 from allauth).
    plain = Client()
    response = password_step(plain, OTHER)
    assert response.status_code == 302 and signed_in(plain)
    # A TOTP code cannot be marked used for every node: a right one is refused.
    assert not signed_in(_second_step(THIRD, code(third)))
    # A recovery code is used up in the database: it signs in.
    assert signed_in(_second_step(EMAIL, recovery_codes(user)[0]))

    redis_server.start()
    time.sleep(0.25)  # this process's back-off after the outage
    assert signed_in(_second_step(THIRD, code(third)))
