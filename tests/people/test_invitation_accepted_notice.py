"""When an invited person accepts (a first password, or a first single sign-on), those who
invite people in their company (and the one who sent the link) find "Lotte Maes accepted
the invitation and signed in" in their inbox, linking to the person's profile; nobody in
another company hears of it, and the invitee is not told about themselves."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.test import Client

from kluis.access.models import RoleAssignment
from kluis.company.models import Delivery, Notice
from kluis.company.notices_kinds import get_kind
from kluis.company.notices_preferences import set_preferences
from kluis.identity.models import User
from tests.company.test_notices_delivery import run_queued
from tests.conftest import actor_for, member
from tests.identity.test_invitations import NEW_PASSWORD, hr_client, invite, newcomer

HR = "hr@demo-bv.test"
OWNER = "owner@demo-bv.test"
KIND = "invitation.accepted"


def accept(path: str) -> None:
    done = Client().post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert done.status_code == 302


def told(email: str, slug: str) -> list[Notice]:
    return list(Notice.objects.filter(membership=member(email, slug), topic="invitation.accepted"))


def test_hr_finds_the_acceptance_in_their_inbox_with_a_link_to_the_profile(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    hr = hr_client(login)
    path = invite(hr, employee, django_capture_on_commit_callbacks)
    assert told(HR, "demo-bv") == []  # not before they accept
    accept(path)

    [notice] = told(HR, "demo-bv")
    assert notice.title == f"{employee.display_name} accepted the invitation and signed in"
    assert notice.url == f"/people/{employee.pk}/" and notice.delivery == Delivery.APP
    inbox = hr.get("/inbox/?kind=invitation.accepted", secure=True).content.decode()
    assert f"{employee.display_name} accepted the invitation and signed in" in inbox
    opened = hr.post(f"/inbox/{notice.pk}/open/", secure=True)
    assert opened.status_code == 302 and opened["Location"] == f"/people/{employee.pk}/"
    # The owner may invite too; the invitee is not told about themselves.
    assert len(told("owner@demo-bv.test", "demo-bv")) == 1
    employee.refresh_from_db()
    assert not Notice.objects.filter(membership=employee.membership).exists()
    # Another company's HR hears nothing of it.
    assert told("hr@other-nv.test", "other-nv") == []
    assert not Notice.objects.filter(tenant__slug="other-nv", topic="invitation.accepted").exists()
    assert (
        employee.display_name
        not in login("hr@other-nv.test", "other-nv").get("/inbox/", secure=True).content.decode()
    )


def test_the_sender_is_told_even_when_they_may_no_longer_invite(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    path = invite(hr_client(login), employee, django_capture_on_commit_callbacks)
    RoleAssignment.objects.filter(membership=member(HR, "demo-bv")).delete()
    accept(path)
    assert len(told(HR, "demo-bv")) == 1
    assert told("employee@demo-bv.test", "demo-bv") == []  # may not invite, did not send


def test_the_kind_is_in_the_app_by_default_and_may_be_e_mailed(demo):
    kind = get_kind("invitation.accepted")
    assert kind.default_delivery == Delivery.APP and not kind.email_always
    assert {value for value, _label in kind.choices()} == set(Delivery.values)


def test_the_preferences_page_offers_it(demo, login: Any):
    page = login(HR, "demo-bv").get("/inbox/preferences/").content.decode()
    assert "An invitation was accepted" in page and 'name="invitation.accepted"' in page


def test_each_member_s_choice_and_language_decide_how_they_hear_of_it(
    demo, login, django_capture_on_commit_callbacks
):
    """HR chose an e-mail at once and reads Dutch; the owner chose the daily digest and
    reads French: the notices are in their languages, and only HR is e-mailed now."""
    set_preferences(actor_for(HR, "demo-bv"), {KIND: Delivery.EMAIL})
    set_preferences(actor_for(OWNER, "demo-bv"), {KIND: Delivery.DIGEST})
    User.objects.filter(email=HR).update(language="nl")
    User.objects.filter(email=OWNER).update(language="fr")
    employee = newcomer()
    path = invite(hr_client(login), employee, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        accept(path)

    [to_hr] = told(HR, "demo-bv")
    assert to_hr.title == f"{employee.display_name} heeft de uitnodiging aanvaard en zich aangemeld"
    assert to_hr.delivery == Delivery.EMAIL
    [to_owner] = told(OWNER, "demo-bv")
    assert to_owner.title == f"{employee.display_name} a accepté l'invitation et s'est connecté(e)"
    assert to_owner.delivery == Delivery.DIGEST
    assert mail.outbox == []  # not in the request: the worker sends
    assert run_queued("send_notices") == 1
    [message] = mail.outbox
    assert message.to == [HR] and message.subject == to_hr.title
    assert f"/people/{employee.pk}/" in message.body
