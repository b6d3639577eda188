"""Password rules (NIST SP 800-63B-4, OWASP ASVS 5): at least 15 characters without a
second factor, 8 with one; long passphrases allowed; no composition rules; common
passwords refused; paste allowed; the demo password keeps working."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from kluis.identity.models import User
from tests.identity.mfa_helpers import (
    add_totp,
    code,
    password_step,
    reauthenticate,
    recovery_codes,
)

EMAIL = "member1@demo-bv.test"


def user() -> User:
    return User.objects.get(email=EMAIL)


def refused(password: str, account: User | None = None) -> list[str]:
    try:
        validate_password(password, account)
    except ValidationError as error:
        return [e.code for e in error.error_list]
    return []


def test_fifteen_characters_without_a_second_factor(demo):
    assert "password_too_short" in refused("quiet river 14", user())  # 14 characters
    assert refused("quiet river 15c", user()) == []


def test_eight_characters_with_a_second_factor(demo):
    add_totp(user())
    assert refused("rivers88", user()) == []
    assert "password_too_short" in refused("river88", user())


def test_a_hundred_character_passphrase_is_allowed():
    assert refused("correct horse battery staple " * 3 + "and a little more, past 64 chars") == []
    assert len("correct horse battery staple " * 3 + "and a little more, past 64 chars") > 100


def test_no_composition_rules_but_common_passwords_refused():
    assert refused("all lower case words only") == []  # no digits, capitals or symbols
    assert refused("739204618273645") == []  # 15 digits: long enough, nothing else asked
    assert "password_too_common" in refused("1q2w3e4r5t6y7u8i9o0p")  # 20 characters, common


def test_the_demo_password_keeps_working(demo):
    assert refused(settings.DEMO_PASSWORD, user()) == []
    password_step(client := Client(), EMAIL)
    assert "_auth_user_id" in client.session


def test_paste_is_not_blocked_on_password_fields(demo, login):
    client = login(EMAIL)
    reauthenticate(client)
    for page in ("/accounts/login/", "/accounts/password/change/"):
        html = (Client() if page.endswith("login/") else client).get(page).content.decode()
        assert "onpaste" not in html and 'autocomplete="off"' not in html


def test_removing_the_last_factor_with_a_short_password_says_choose_a_longer_one(demo):
    account = user()
    secret = add_totp(account)
    account.set_password("short-8c")  # allowed while the account has a second factor
    account.save()
    client = Client()
    password_step(client, EMAIL, "short-8c")
    client.post("/accounts/2fa/authenticate/", {"code": code(secret)})
    # Removing a factor asks for a factor again: a recovery code (the TOTP code is used).
    client.post("/accounts/2fa/reauthenticate/", {"code": recovery_codes(account)[0]})
    response = client.post("/accounts/2fa/totp/deactivate/", follow=True)
    assert not Authenticator.objects.filter(user=account).exists()
    assert "shorter than 15 characters" in response.content.decode()
