"""ID tokens Kluis refuses, each with a message that says why: a tampered signature,
another audience, another issuer, an expired token, a missing or wrong nonce, a key the
provider does not publish; and a `state` used twice. Real HTTP: a provider on loopback
whose token endpoint answers with a token the test crafts (tests/identity/sso_support.py)
and, for the replayed state, oidc-provider-mock."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client

from kluis.identity.models import AddressFailures
from tests.identity.sso_support import (
    CraftedProvider,
    authorize_at_mock,
    callback_path,
    configure,
    mock_provider,
    set_user,
    start,
)

OWNER = "owner@demo-bv.test"


@pytest.fixture
def crafted(demo: Any) -> Iterator[CraftedProvider]:
    with CraftedProvider() as provider:
        configure(demo["demo-bv"], provider.issuer, "demo-bv.test")
        yield provider


def crafted_answer(provider: CraftedProvider, **changes: Any) -> tuple[Client, Any]:
    """Start a sign-in, let the provider answer with a token of these claims (signed
    with `_key`, by default the provider's), follow the callback."""
    client = Client(REMOTE_ADDR="127.0.0.7")
    request = start(client, OWNER)
    key = changes.pop("_key", None)
    provider.id_token = provider.sign(provider.claims(request["nonce"], **changes), key)
    response = client.get(
        callback_path(request), {"code": "a-code", "state": request["state"]}, secure=True
    )
    return client, response


def refused(client: Client, response: Any, words: str) -> None:
    assert response.status_code in (401, 403), response.status_code
    text = response.content.decode()
    assert words in text, text[-1500:]
    assert "_auth_user_id" not in client.session


def test_a_genuine_token_signs_in(crafted):
    client, response = crafted_answer(crafted)

    assert response.status_code == 302 and response["Location"] == "/"
    assert "_auth_user_id" in client.session


def test_a_tampered_token_is_refused(crafted):
    client = Client(REMOTE_ADDR="127.0.0.7")
    request = start(client, OWNER)
    genuine = crafted.sign(crafted.claims(request["nonce"]))
    header, _payload, signature = genuine.split(".")
    claims = crafted.claims(request["nonce"], sub="someone-else")
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    crafted.id_token = f"{header}.{forged}.{signature}"

    response = client.get(
        callback_path(request), {"code": "a-code", "state": request["state"]}, secure=True
    )

    refused(client, response, "signature does not verify")


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(crafted):
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    client, response = crafted_answer(crafted, _key=other_key)

    refused(client, response, "signature does not verify")


def test_a_token_for_another_audience_is_refused(crafted):
    client, response = crafted_answer(crafted, aud="another-application")

    refused(client, response, "issued for another application (audience)")


def test_a_token_from_another_issuer_is_refused(crafted):
    client, response = crafted_answer(crafted, iss="https://login.example.com")

    refused(client, response, "issued by another provider")


def test_an_expired_token_is_refused(crafted):
    now = int(time.time())

    client, response = crafted_answer(crafted, iat=now - 7200, exp=now - 3600)

    refused(client, response, "has expired")


def test_a_token_without_expiry_is_refused(crafted):
    client = Client(REMOTE_ADDR="127.0.0.7")
    request = start(client, OWNER)
    claims = crafted.claims(request["nonce"])
    del claims["exp"]
    crafted.id_token = crafted.sign(claims)

    response = client.get(
        callback_path(request), {"code": "a-code", "state": request["state"]}, secure=True
    )

    refused(client, response, "lacks the exp claim")


def test_a_token_for_another_sign_in_is_refused_by_its_nonce(crafted):
    client, response = crafted_answer(crafted, nonce="a-nonce-of-another-sign-in")

    refused(client, response, "does not belong to this sign-in (nonce)")


def test_an_unsigned_token_is_refused(crafted):
    client = Client(REMOTE_ADDR="127.0.0.7")
    request = start(client, OWNER)
    crafted.id_token = jwt.encode(crafted.claims(request["nonce"]), key=None, algorithm="none")

    response = client.get(
        callback_path(request), {"code": "a-code", "state": request["state"]}, secure=True
    )

    refused(client, response, "algorithm Kluis does not accept")


def test_refused_callbacks_count_against_the_address(crafted):
    for _attempt in range(3):
        crafted_answer(crafted, aud="another-application")

    assert AddressFailures.objects.get(ip="127.0.0.7").failures == 3


def test_a_replayed_state_is_refused(demo):
    with mock_provider() as issuer:
        configure(demo["demo-bv"], issuer, "demo-bv.test")
        set_user(issuer, "sub-replay", email=OWNER, email_verified=True)
        client = Client(REMOTE_ADDR="127.0.0.8")
        request = start(client, OWNER)
        back = authorize_at_mock(request, "sub-replay")
        assert client.get(back, secure=True).status_code == 302
        client.post("/accounts/logout/", secure=True)

        response = client.get(back, secure=True)

    refused(client, response, "already completed or has expired (state)")
    assert AddressFailures.objects.get(ip="127.0.0.8").failures == 1
