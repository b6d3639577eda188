"""Second-factor secrets are stored sealed under the master key, survive a master key
rotation that retires the old key, and those stored in the clear before are sealed by
migration."""

from __future__ import annotations

import importlib

import pyotp
import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.test import Client

from kluis.cli import main
from kluis.crypto import keyring, platform_seal
from kluis.crypto.vault import TamperedError
from kluis.identity import mfa_secrets
from kluis.identity.models import User
from tests.crypto.conftest import clean_key_cache, private_keyring  # noqa: F401

from .mfa_helpers import add_totp, code, password_step, recovery_codes, signed_in

EMAIL = "member1@demo-bv.test"


def user() -> User:
    return User.objects.get(email=EMAIL)


def stored(kind: str) -> dict[str, object]:
    return dict(Authenticator.objects.get(user=user(), type=kind).data)


def signs_in_with(secret: str) -> bool:
    client = Client()
    password_step(client, EMAIL)
    client.post("/accounts/2fa/authenticate/", {"code": code(secret)}, secure=True)
    return signed_in(client)


def test_the_database_holds_no_secret_in_the_clear(demo):
    secret = add_totp(user())
    totp = stored("totp")
    assert str(totp["secret"]).startswith("m1.") and secret not in str(totp)
    seed = str(stored("recovery_codes")["seed"])
    assert seed.startswith("m1.")
    assert all(spare not in str(stored("recovery_codes")) for spare in recovery_codes(user()))
    assert signs_in_with(secret)


def test_a_sealed_secret_opens_for_its_purpose_only_and_not_when_altered(demo):
    token = mfa_secrets.seal("JBSWY3DPEHPK3PXP")
    assert mfa_secrets.unseal(token) == "JBSWY3DPEHPK3PXP"
    with pytest.raises(TamperedError):
        platform_seal.unseal("another purpose", token)
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(TamperedError):
        mfa_secrets.unseal(altered)


def test_rotation_reseals_them_so_the_old_key_can_go(demo, private_keyring, capsys):  # noqa: F811
    secret = add_totp(user())
    spare = recovery_codes(user())[0]
    old_id = keyring.current().active_id
    holding = Authenticator.objects.exclude(type="webauthn").count()  # the demo's too
    assert main(["keys", "rotate", "--retire-old"]) == 0
    out = capsys.readouterr().out
    assert f"second-factor secrets: re-sealed {holding}" in out, out
    new_id = keyring.read_keyring_file(private_keyring).active_id
    assert new_id != old_id
    assert platform_seal.master_key_id(str(stored("totp")["secret"])) == new_id
    keyring.forget()
    assert signs_in_with(secret)  # the old master key is gone from the keyring
    client = Client()
    password_step(client, EMAIL)
    client.post("/accounts/2fa/authenticate/", {"code": spare}, secure=True)
    assert signed_in(client)


def test_secrets_stored_in_the_clear_are_sealed_by_the_migration(demo):
    secret = pyotp.random_base32(32)
    Authenticator.objects.create(user=user(), type="totp", data={"secret": secret})
    migration = importlib.import_module("kluis.identity.migrations.0010_seal_mfa_secrets")
    assert signs_in_with(secret)  # read as it is until then
    migration.seal_existing(apps, None)
    sealed = str(stored("totp")["secret"])
    assert sealed.startswith("m1.") and mfa_secrets.unseal(sealed) == secret
    migration.unseal_all(apps, None)  # and back, for a rollback
    assert stored("totp")["secret"] == secret
