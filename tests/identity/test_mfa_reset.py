"""HR resets a member's two-factor authentication (permission identity.reset_mfa, held by
the built-in Owner and HR admin roles): every factor is removed, the reset is audited in
the acting company and in the member's other companies, and the member is e-mailed. Only
members of the actor's own company can be reached."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from django_tasks_db.models import DBTaskResult

from kluis.access.permissions import BUILTIN_ROLES
from kluis.audit.models import AuditEvent
from kluis.identity.mfa_reset import send_mfa_reset_notice
from kluis.identity.models import User
from tests.conftest import member
from tests.identity.mfa_helpers import add_totp, code

HR = "hr@demo-bv.test"
CONSULTANT = "consultant@kluis.test"  # a member of both demo companies


def stepped_up(login: Any, email: str) -> Any:
    """Signed in with TOTP just now (so no step-up is asked)."""
    secret = add_totp(User.objects.get(email=email))
    client = login(email)
    client.post("/accounts/2fa/reauthenticate/", {"code": code(secret)})
    return client


def test_only_owner_and_hr_admin_hold_the_permission():
    holders = {k for k, r in BUILTIN_ROLES.items() if "identity.reset_mfa" in r.grants}
    assert holders == {"owner", "hr_admin"}


def test_hr_resets_a_members_mfa_audited_in_every_company_and_emailed(
    demo, login, django_capture_on_commit_callbacks, mailoutbox
):
    consultant = User.objects.get(email=CONSULTANT)
    add_totp(consultant)
    client = stepped_up(login, HR)
    target = member(CONSULTANT, "demo-bv")
    page = client.get(f"/members/{target.pk}/").content.decode()
    assert "Reset two-factor authentication" in page
    queued = DBTaskResult.objects.filter(task_path__endswith="send_mfa_reset_notice").count()
    asked = client.post(f"/members/{target.pk}/reset-mfa/")
    assert asked.status_code == 200 and 'data-testid="confirm-page"' in asked.content.decode()
    assert Authenticator.objects.filter(user=consultant).exists()  # asking removed nothing
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/members/{target.pk}/reset-mfa/", {"confirmed": "1"}, follow=True)
    assert "is reset" in response.content.decode()
    assert not Authenticator.objects.filter(user=consultant).exists()
    here = AuditEvent.objects.get(action="mfa.reset", tenant__slug="demo-bv")
    assert here.actor_label == HR and here.changes["removed"] == ["recovery_codes", "totp"]
    there = AuditEvent.objects.get(action="mfa.reset", tenant__slug="other-nv")
    assert there.changes["by_company"] == "Demo BV"
    assert (
        DBTaskResult.objects.filter(task_path__endswith="send_mfa_reset_notice").count()
        == queued + 1
    )
    send_mfa_reset_notice.call(consultant.pk, "Demo BV")
    assert mailoutbox[-1].to == [CONSULTANT]
    assert "reset the two-factor authentication" in mailoutbox[-1].body


def test_another_companys_member_is_out_of_reach(demo, login):
    stranger = User.objects.get(email="member1@other-nv.test")
    add_totp(stranger)
    client = stepped_up(login, HR)
    target = member("member1@other-nv.test", "other-nv")
    for data in ({}, {"confirmed": "1"}):
        assert client.post(f"/members/{target.pk}/reset-mfa/", data).status_code == 404
    assert Authenticator.objects.filter(user=stranger).exists()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


def test_an_employee_may_not_reset_anyones_mfa(demo, login):
    add_totp(User.objects.get(email="member2@demo-bv.test"))
    client = stepped_up(login, "member1@demo-bv.test")
    target = member("member2@demo-bv.test")
    response = client.post(f"/members/{target.pk}/reset-mfa/", {"confirmed": "1"})
    assert response.status_code in (403, 404)
    assert Authenticator.objects.filter(user=target.user).exists()


def test_the_reset_asks_for_the_second_factor_again(demo, login):
    add_totp(User.objects.get(email=HR))
    add_totp(User.objects.get(email="member2@demo-bv.test"))
    target = member("member2@demo-bv.test")
    response = login(HR).post(f"/members/{target.pk}/reset-mfa/")
    assert response.status_code == 302 and "/2fa/reauthenticate/" in response["Location"]
    assert Authenticator.objects.filter(user=target.user).exists()


def test_ones_own_mfa_is_not_reset_here(demo, login):
    client = stepped_up(login, HR)
    me = member(HR)
    assert "Reset two-factor" not in client.get(f"/members/{me.pk}/").content.decode()
    client.post(f"/members/{me.pk}/reset-mfa/", {"confirmed": "1"})
    assert Authenticator.objects.filter(user=me.user).exists()


def test_the_reset_shows_what_was_removed_in_the_audit_log(demo, login):
    add_totp(User.objects.get(email=CONSULTANT))
    client = stepped_up(login, HR)
    target = member(CONSULTANT, "demo-bv")
    client.post(f"/members/{target.pk}/reset-mfa/", {"confirmed": "1"})
    event = AuditEvent.objects.get(action="mfa.reset", tenant__slug="demo-bv")
    owner = login("owner@demo-bv.test")  # reads the audit log
    page = owner.get(f"/audit/{event.pk}/").content.decode()
    assert "recovery_codes" in page and "totp" in page
