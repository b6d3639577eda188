"""The Account panel of an HR profile: each state renders, HR invites, resends, revokes,
deactivates and reactivates from it (each audited), destructive actions ask first."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.identity.models import Invitation
from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from tests.conftest import member

HR = "hr@demo-bv.test"


def person(email: str, slug: str = "demo-bv") -> Employee:
    return Employee.objects.for_tenant(Tenant.objects.get(slug=slug)).get(work_email=email)


def newcomer(slug: str = "demo-bv") -> Employee:
    """A new hire of the demo: an employee with a work e-mail and no login."""
    return (
        Employee.objects.for_tenant(Tenant.objects.get(slug=slug))
        .filter(membership__isnull=True)
        .exclude(work_email="")
        .exclude(status="left")
        .order_by("pk")
        .first()
    )


def state(page: Any) -> str | None:
    """The state the panel shows; None when there is no panel."""
    found = re.search(r'data-testid="account-panel" data-state="(\w+)"', page.content.decode())
    return found.group(1) if found else None


def events(action: str, employee: Employee) -> int:
    return AuditEvent.objects.filter(action=action, object_id=str(employee.membership_id)).count()


def test_a_new_hire_has_no_login_and_hr_invites_then_resends(
    demo, login, django_capture_on_commit_callbacks
):
    hire = newcomer()
    hr = login(HR, "demo-bv")
    page = hr.get(f"/people/{hire.pk}/")
    assert state(page) == "none"
    assert b'data-testid="account-invite"' in page.content
    assert b'data-testid="account-deactivate"' not in page.content  # nothing to deactivate
    with django_capture_on_commit_callbacks(execute=True):
        sent = hr.post(f"/people/{hire.pk}/invite/")
    assert sent.status_code == 302 and sent["Location"] == f"/people/{hire.pk}/#account"
    page = hr.get(f"/people/{hire.pk}/")
    assert state(page) == "invited"
    for shown in (b"account-invited-at", b"account-expires-at", b"account-resend"):
        assert shown in page.content
    hire.refresh_from_db()
    assert events("invitation.sent", hire) == 1
    # The new login can see and keep the hire's own data: the built-in Employee role.
    assert events("role.granted", hire) == 1
    assert "Employee" in page.content.decode().split('data-testid="account-roles"')[1]
    first = Invitation.objects.get(membership_id=hire.membership_id)
    resent = hr.post(f"/people/{hire.pk}/invite/", follow=True)
    assert b"A new invitation was e-mailed to" in resent.content
    assert events("invitation.resent", hire) == 1
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert state(resent) == "invited"


def test_hr_revokes_an_open_invitation_after_confirming(
    demo, login, django_capture_on_commit_callbacks
):
    hire = newcomer()
    hr = login(HR, "demo-bv")
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(f"/people/{hire.pk}/invite/")
    hire.refresh_from_db()
    asked = hr.get(f"/people/{hire.pk}/account/invitation/revoke/")
    assert asked.status_code == 200 and b'data-testid="account-confirm"' in asked.content
    assert Invitation.objects.get(membership_id=hire.membership_id).revoked_at is None
    done = hr.post(f"/people/{hire.pk}/account/invitation/revoke/", follow=True)
    assert b"its link no longer works" in done.content
    assert events("invitation.revoked", hire) == 1
    # The login stays, not activated: the panel says so and offers a new invitation.
    assert state(done) == "none" and b"account-invite" in done.content


def test_an_active_login_shows_its_last_sign_in_roles_and_no_second_factor(demo, login):
    target = member("member1@demo-bv.test", "demo-bv")
    target.user.last_login = timezone.now()
    target.user.save(update_fields=["last_login"])
    page = login(HR, "demo-bv").get(f"/people/{person('member1@demo-bv.test').pk}/")
    assert state(page) == "active"
    html = page.content.decode()
    assert 'data-testid="account-last-sign-in"><time' in html
    assert re.search(r'data-testid="account-mfa">\s*Off', html)
    assert "Employee" in html.split('data-testid="account-roles"')[1].split("</ul>")[0]
    assert 'data-testid="account-reset-mfa"' not in html  # nothing to reset
    assert 'data-testid="account-grant-role"' not in html  # HR admin does not grant roles


def test_two_factor_on_names_the_factors_and_hr_resets_it_after_confirming(demo, login):
    target = person("manager@other-nv.test", "other-nv")  # the demo login with TOTP
    hr = login("hr@other-nv.test", "other-nv")
    page = hr.get(f"/people/{target.pk}/")
    assert state(page) == "active"
    assert re.search(r'data-testid="account-mfa">On: Authenticator app<', page.content.decode())
    assert b'data-testid="account-no-mfa"' not in page.content
    asked = hr.get(f"/people/{target.pk}/account/reset-mfa/")
    assert b"Reset the two-factor authentication of" in asked.content
    done = hr.post(f"/people/{target.pk}/account/reset-mfa/", follow=True)
    assert b"is reset and they were e-mailed" in done.content
    assert re.search(r'data-testid="account-mfa">\s*Off', done.content.decode())
    assert events("mfa.reset", target) == 1


def test_hr_deactivates_after_confirming_and_gives_access_again(demo, login):
    target = person("member2@demo-bv.test")
    hr = login(HR, "demo-bv")
    asked = hr.get(f"/people/{target.pk}/account/deactivate/")
    assert asked.status_code == 200 and b"Deactivate the login of" in asked.content
    assert Membership.objects.get(pk=target.membership_id).is_active  # asking changes nothing
    done = hr.post(f"/people/{target.pk}/account/deactivate/", follow=True)
    assert b"no longer has access" in done.content
    assert state(done) == "deactivated"
    assert b'data-testid="account-reactivate"' in done.content
    assert events("membership.deactivated", target) == 1
    again = hr.post(f"/people/{target.pk}/account/reactivate/", follow=True)
    assert b"has access again" in again.content and state(again) == "active"
    assert events("membership.reactivated", target) == 1


def test_hr_cannot_deactivate_themselves(demo, login):
    me = person(HR)
    hr = login(HR, "demo-bv")
    assert b'data-testid="account-deactivate"' not in hr.get(f"/people/{me.pk}/").content
    refused = hr.post(f"/people/{me.pk}/account/deactivate/", follow=True)
    assert b"You cannot deactivate yourself." in refused.content
    assert Membership.objects.get(pk=me.membership_id).is_active


def test_the_owner_grants_and_revokes_a_role_from_the_panel(demo, login):
    target = person("member3@demo-bv.test")
    owner = login("owner@demo-bv.test", "demo-bv")
    page = owner.get(f"/people/{target.pk}/")
    assert b'data-testid="account-grant-role"' in page.content
    manager_role = page.context["account_grant_form"].fields["role"].queryset.get(name="Manager")
    granted_before = events("role.granted", target)  # the demo's own grants
    granted = owner.post(
        f"/people/{target.pk}/account/roles/grant/", {"role": manager_role.pk}, follow=True
    )
    assert b"now has the role Manager" in granted.content
    assert events("role.granted", target) == granted_before + 1
    url = f"/people/{target.pk}/account/roles/{manager_role.pk}/revoke/"
    assert b'data-testid="account-confirm"' in owner.get(url).content
    revoked = owner.post(url, follow=True)
    assert b"no longer has the role Manager" in revoked.content
    assert events("role.revoked", target) == 1


def test_the_list_asks_before_inviting_everyone_without_a_login(demo, login):
    hr = login(HR, "demo-bv")
    asked = hr.get("/people/invite/")
    assert asked.status_code == 200
    hire = newcomer()
    assert hire.display_name.encode() in asked.content
    assert b"person without a login" in asked.content or b"people without a login" in asked.content
    assert not Invitation.objects.exists()  # asking sends nothing
    assert Client().get("/people/invite/").status_code == 302  # signed out: to sign in
