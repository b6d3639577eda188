"""App token signing keys (ES256, kid, in the database, rotated) and every kind of bad
token the API refuses with 401 and its standard problem document."""

from __future__ import annotations

import datetime as dt
import hmac
import time
from io import StringIO

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from kluis.identity import signing_keys
from kluis.identity.models import AppSigningKey, User
from tests.api_client import assert_problem
from tests.crypto.conftest import clean_key_cache, private_keyring  # noqa: F401
from tests.identity.app_token_helpers import JWKS, api_get, b64, part, refresh, tokens

EMPLOYEES = "/api/v1/employees/"


pytestmark = pytest.mark.usefixtures("fresh_signing_keys")


def test_jwks_publishes_the_public_keys_and_verifies_a_token(demo):
    access = tokens("hr@demo-bv.test")["access_token"]
    response = Client().get(JWKS, secure=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/jwk-set+json"
    keys = response.json()["keys"]
    kid = part(access, 0)["kid"]
    published = next(key for key in keys if key["kid"] == kid)
    assert published["kty"] == "EC" and published["crv"] == "P-256" and published["alg"] == "ES256"
    assert "d" not in published  # never the private part
    # An independent verifier (PyJWT's JWK support) checks the token with the JWKS alone.
    public = jwt.PyJWK(published).key
    claims = jwt.decode(access, public, algorithms=["ES256"], audience="kluis-api")
    assert claims["token_use"] == "access"


def test_the_private_key_is_stored_sealed(demo):
    signing_keys.signer()
    row = AppSigningKey.objects.get(retired_at__isnull=True)
    private = signing_keys.signer().private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    assert private not in bytes(row.sealed_private_key)
    assert b"PRIVATE" not in bytes(row.sealed_private_key)


def test_rotation_keeps_old_tokens_valid_and_new_tokens_carry_the_new_kid(demo):
    before = tokens("hr@demo-bv.test")
    old_kid = part(before["access_token"], 0)["kid"]
    out = StringIO()
    call_command("rotate_app_token_keys", stdout=out)
    new_kid = AppSigningKey.objects.get(retired_at__isnull=True).kid
    assert new_kid != old_kid and new_kid in out.getvalue()
    # Tokens signed by the old key still work until they expire...
    assert api_get(EMPLOYEES, before["access_token"]).status_code == 200
    refreshed = refresh(before["refresh_token"])
    assert refreshed.status_code == 200
    # ... and what is issued now is signed by the new key.
    assert part(refreshed.json()["data"]["access_token"], 0)["kid"] == new_kid
    assert part(tokens("member1@demo-bv.test")["access_token"], 0)["kid"] == new_kid
    kids = {key["kid"] for key in Client().get(JWKS, secure=True).json()["keys"]}
    assert {old_kid, new_kid} <= kids
    old = AppSigningKey.objects.get(kid=old_kid)
    assert old.verify_until is not None
    assert old.verify_until - old.retired_at >= dt.timedelta(days=14)  # type: ignore[operator]


def test_a_key_is_deleted_once_its_tokens_have_expired(demo):
    access = tokens("hr@demo-bv.test")["access_token"]
    old_kid = part(access, 0)["kid"]
    call_command("rotate_app_token_keys", stdout=StringIO())
    AppSigningKey.objects.filter(kid=old_kid).update(verify_until=timezone.now())
    call_command("rotate_app_token_keys", stdout=StringIO())
    assert not AppSigningKey.objects.filter(kid=old_kid).exists()
    signing_keys.forget()
    assert_problem(api_get(EMPLOYEES, access), 401)
    assert old_kid not in {k["kid"] for k in Client().get(JWKS, secure=True).json()["keys"]}


def test_an_old_signing_key_is_replaced_when_the_next_token_is_signed(demo):
    first = signing_keys.signer().kid
    AppSigningKey.objects.filter(kid=first).update(
        created_at=timezone.now() - dt.timedelta(days=31)
    )
    signing_keys.forget()
    assert part(tokens("hr@demo-bv.test")["access_token"], 0)["kid"] != first
    assert AppSigningKey.objects.get(kid=first).retired_at is not None


def _resigned(access: str, **changes: object) -> str:
    """The token's claims with `changes`, signed with the real current key."""
    claims = {**part(access, 1), **changes}
    found = signing_keys.signer()
    return jwt.encode(claims, found.private_key, algorithm="ES256", headers={"kid": found.kid})


def test_bad_tokens_get_401_with_the_problem_document(demo):
    access = tokens("hr@demo-bv.test")["access_token"]
    assert api_get(EMPLOYEES, access).status_code == 200
    header, payload, signature = access.split(".")
    now = int(time.time())
    expired = _resigned(access, iat=now - 3600, exp=now - 60)
    claims = part(access, 1)
    tampered = f"{header}.{b64({**claims, 'company': claims['company'] + 1})}.{signature}"
    alg_none = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': part(access, 0)['kid']})}.{payload}."
    stranger = ec.generate_private_key(ec.SECP256R1())
    unknown_kid = jwt.encode(claims, stranger, algorithm="ES256", headers={"kid": "not-a-key"})
    wrong_key_same_kid = jwt.encode(
        claims, stranger, algorithm="ES256", headers={"kid": part(access, 0)["kid"]}
    )
    public_pem = (
        signing_keys.signer()
        .private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    # Key confusion: HS256 with the published public key as the shared secret.
    hs_signed = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': part(access, 0)['kid']})}.{payload}"
    mac = hmac.new(public_pem, hs_signed.encode(), "sha256").digest()
    hs256 = f"{hs_signed}.{jwt.utils.base64url_encode(mac).decode()}"
    refresh_as_access = tokens("hr@demo-bv.test")["refresh_token"]
    wrong_audience = _resigned(access, aud="someone-else")
    for bad in (
        expired,
        tampered,
        alg_none,
        unknown_kid,
        wrong_key_same_kid,
        hs256,
        refresh_as_access,
        wrong_audience,
        access[:-4] + "AAAA",
    ):
        response = api_get(EMPLOYEES, bad)
        body = assert_problem(response, 401)
        assert body["detail"] == "The access token is not valid."
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    # The real one still works: nothing above changed anything.
    assert api_get(EMPLOYEES, access).status_code == 200


def test_an_expired_refresh_token_is_refused(demo):
    meta = tokens("hr@demo-bv.test")
    now = int(time.time())
    expired = _resigned(meta["refresh_token"], iat=now - 3600, exp=now - 60)
    assert refresh(expired).status_code == 400


def test_the_status_command_lists_keys_and_changes_nothing(demo):
    kid = signing_keys.signer().kid
    out = StringIO()
    call_command("rotate_app_token_keys", "--status", stdout=out)
    assert kid in out.getvalue() and "signs" in out.getvalue()
    assert AppSigningKey.objects.count() == 1


def test_expired_token_records_are_purged_and_nothing_live(demo):
    from kluis.identity.app_tokens import purge
    from kluis.identity.models import AppRefreshToken

    live = tokens("hr@demo-bv.test")
    old = tokens("member1@demo-bv.test")
    AppRefreshToken.objects.filter(family__user__email="member1@demo-bv.test").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert purge() == 1
    assert refresh(old["refresh_token"]).status_code == 400
    assert refresh(live["refresh_token"]).status_code == 200


def test_only_the_app_client_exists_and_no_one_signs_up(demo):
    client = Client()
    assert client.get("/auth/browser/v1/config", secure=True).status_code == 404
    signup = client.post(
        "/auth/app/v1/auth/signup",
        '{"email": "new@demo-bv.test", "password": "a long enough new password"}',
        content_type="application/json",
        secure=True,
    )
    assert signup.status_code == 403
    assert not User.objects.filter(email="new@demo-bv.test").exists()
    assert client.post(JWKS, secure=True).status_code == 405


def test_a_master_key_rotation_reseals_the_signing_key_which_keeps_signing(
    demo,
    private_keyring,  # noqa: F811
    capsys,
):
    from kluis.cli import main
    from kluis.crypto import keyring, platform_seal

    kid = signing_keys.signer().kid
    assert main(["keys", "rotate", "--retire-old"]) == 0
    assert "app token signing keys: re-sealed 1" in capsys.readouterr().out
    row = AppSigningKey.objects.get(kid=kid)
    new_id = keyring.read_keyring_file(private_keyring).active_id
    assert row.master_key_id == new_id
    assert platform_seal.master_key_id(bytes(row.sealed_private_key).decode()) == new_id
    keyring.forget()
    signing_keys.forget()
    assert signing_keys.signer().kid == kid  # opened with the new master key alone


def test_an_altered_sealed_key_does_not_sign_a_new_one_does(demo):
    kid = signing_keys.signer().kid
    row = AppSigningKey.objects.get(kid=kid)
    sealed = bytes(row.sealed_private_key)
    row.sealed_private_key = sealed[:-3] + (b"AAA" if not sealed.endswith(b"AAA") else b"BBB")
    row.save()
    signing_keys.forget()
    assert signing_keys.signer().kid != kid
