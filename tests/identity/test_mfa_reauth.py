"""Changing e-mail, password or two-factor devices asks for re-authentication first
(ACCOUNT_REAUTHENTICATION_REQUIRED, MFA_REAUTHENTICATION_REQUIRED): being signed in is not
enough, the password (or a factor) is entered again within the last 5 minutes."""

from __future__ import annotations

from typing import Any

import pytest

from kluis.identity.models import User
from tests.identity.mfa_helpers import add_totp, code, reauthenticate

EMAIL = "member1@demo-bv.test"


def asks_to_reauthenticate(response: Any, factor: bool = False) -> None:
    assert response.status_code == 302
    where = "/accounts/2fa/reauthenticate/" if factor else "/accounts/reauthenticate/"
    assert response["Location"].startswith(where), response["Location"]


@pytest.mark.parametrize(
    "page",
    [
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/add/",
    ],
)
def test_changing_email_password_or_factors_asks_for_the_password(demo, login, page):
    client = login(EMAIL)
    asks_to_reauthenticate(client.get(page))
    reauthenticate(client)
    assert client.get(page).status_code == 200


def test_changing_the_email_address_asks_for_the_password(demo, login):
    client = login(EMAIL)
    data = {"action_add": "", "email": "lotte@example.test"}
    asks_to_reauthenticate(client.post("/accounts/email/", data))
    assert (
        not User.objects.get(email=EMAIL)
        .emailaddress_set.filter(email="lotte@example.test")
        .exists()
    )
    reauthenticate(client)
    assert client.post("/accounts/email/", data).status_code == 302
    assert (
        User.objects.get(email=EMAIL).emailaddress_set.filter(email="lotte@example.test").exists()
    )


def test_changing_the_password_needs_the_current_one(demo, login):
    client = login(EMAIL)
    new = "a new and long passphrase"
    data = {"oldpassword": "not the current password", "password1": new, "password2": new}
    assert client.post("/accounts/password/change/", data).status_code == 200
    assert not User.objects.get(email=EMAIL).check_password(new)
    data["oldpassword"] = "kluis-demo-password-2026"
    assert client.post("/accounts/password/change/", data).status_code == 302
    assert User.objects.get(email=EMAIL).check_password(new)


def test_with_a_second_factor_the_factor_may_confirm_it(demo, login):
    secret = add_totp(User.objects.get(email=EMAIL))
    client = login(EMAIL)
    for page in ("/accounts/2fa/recovery-codes/generate/", "/accounts/2fa/totp/deactivate/"):
        response = client.get(page)
        assert response.status_code == 302 and "reauthenticate" in response["Location"]
    response = client.post("/accounts/2fa/reauthenticate/", {"code": code(secret)})
    assert response.status_code == 302
    assert client.get("/accounts/2fa/recovery-codes/generate/").status_code == 200
