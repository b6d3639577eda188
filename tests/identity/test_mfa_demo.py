"""The demo: one login has TOTP set up with a fixed secret that `make run` prints; every
other demo login signs in with the password alone, as before."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.test import Client

from kluis.company.demo import MFA_DEMO_EMAIL, MFA_DEMO_SECRET, demo_logins, mfa_demo_uri
from tests.identity.mfa_helpers import password_step, sign_in_with_totp, signed_in


def test_the_printed_demo_login_signs_in_with_its_printed_secret(demo):
    printed = dict(demo_logins())[MFA_DEMO_EMAIL]
    assert MFA_DEMO_SECRET in printed and mfa_demo_uri() in printed
    assert mfa_demo_uri().startswith("otpauth://totp/Kluis:")
    sign_in_with_totp(MFA_DEMO_EMAIL, MFA_DEMO_SECRET)


def test_every_other_demo_login_signs_in_with_the_password_alone(demo):
    others = [email for email, _what in demo_logins() if email != MFA_DEMO_EMAIL]
    assert not Authenticator.objects.filter(user__email__in=others).exists()
    client = Client()
    password_step(client, others[0])
    assert signed_in(client)
