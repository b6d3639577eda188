"""E-mails the worker sends are written in their reader's language: the one they last
signed in with or switched to, or for someone invited who never signed in, their
inviter's; a message to several people is written for each in their own."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from kluis.identity import brute_force, mfa_reset, signins
from kluis.identity.models import User
from kluis.tenancy.models import Tenant

from .mfa_helpers import password_step, signed_in

EMAIL = "member1@demo-bv.test"


def user(email: str = EMAIL) -> User:
    return User.objects.get(email=email)


def test_the_language_of_the_sign_in_is_remembered_and_written_in(demo):
    client = Client(HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.9")
    password_step(client, EMAIL)
    assert signed_in(client)
    assert user().language == "nl"
    brute_force.send_unblock_link.call(user().pk, "127.0.0.9", "https://kluis.test/x/")
    signins.send_new_device_notice.call(user().pk, "127.0.0.9", "Firefox", "2026-12-06T10:00")
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [
        "Kluis: aanmeldingen op je account zijn geblokkeerd",
        "Kluis: een aanmelding vanuit een nieuwe browser",
    ]


def test_switching_language_while_signed_in_is_remembered(demo, login):
    client = login(EMAIL)
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/"}, secure=True)
    assert response.status_code == 302
    assert user().language == "fr"
    mfa_reset.send_mfa_reset_notice.call(user().pk, "Demo BV")
    assert "authentification" in mail.outbox[-1].subject.lower()
    # Signed out, the switch changes only the page (nobody to remember it for).
    Client().post("/i18n/setlang/", {"language": "nl", "next": "/"}, secure=True)
    assert user().language == "fr"


def test_someone_invited_gets_the_invitation_in_their_inviter_s_language(
    demo, login, django_capture_on_commit_callbacks
):
    from tests.identity.test_invitations import invite, newcomer

    hr = login("hr@demo-bv.test")
    hr.post("/i18n/setlang/", {"language": "fr", "next": "/"}, secure=True)
    employee = newcomer()
    invite(hr, employee, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].subject == "Vous êtes invité·e chez Demo BV sur Kluis"
    employee.refresh_from_db()
    assert employee.membership.user.language == "fr"


@pytest.mark.parametrize("unknown", ["", "de", "xx-YY"])
def test_an_unknown_or_unsupported_language_writes_english(demo, unknown):
    account = user()
    account.language = unknown
    account.save(update_fields=["language"])
    brute_force.send_unblock_link.call(account.pk, "127.0.0.9", "https://kluis.test/x/")
    assert mail.outbox[-1].subject == "Kluis: sign-ins to your account were blocked"


def test_a_notice_to_several_owners_is_written_for_each(demo):
    tenant = Tenant.objects.get(slug="demo-bv")
    owner = user("owner@demo-bv.test")
    owner.language = "nl"
    owner.save(update_fields=["language"])
    sent = brute_force.send_throttle_notice.call("127.0.0.9", 100, [tenant.pk])
    assert sent >= 1
    to_owner = [m for m in mail.outbox if m.to == [owner.email]]
    assert to_owner and to_owner[0].subject.startswith("Kluis: een adres dat wachtwoorden raadt")
