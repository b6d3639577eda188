"""Invitations (issue 13): HR invites an employee by e-mail; the single-use link expires,
is stored only as a hash, sets the password of that one person and signs them in; HR sees
who has not activated yet and can send again or revoke; another company reaches none of it;
guessing links is throttled like guessing passwords."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kluis.audit.models import AuditEvent
from kluis.identity.models import AddressFailures, Invitation, User
from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant

HR = "hr@demo-bv.test"
OTHER_HR = "hr@other-nv.test"
NEW_PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_flood_guard() -> Any:
    cache.clear()
    yield
    cache.clear()


def newcomer(slug: str = "demo-bv") -> Employee:
    """An employee of the demo company who has no login yet."""
    tenant = Tenant.objects.get(slug=slug)
    return (
        Employee.objects.for_tenant(tenant)
        .filter(membership__isnull=True)
        .exclude(work_email="")
        .exclude(status="left")
        .order_by("pk")
        .first()
    )


def hr_client(login: Any, email: str = HR, slug: str = "demo-bv") -> Client:
    return login(email, slug)


def run_mail_tasks() -> list[Any]:
    """Run the queued invitation e-mails as the worker would; the messages sent."""
    for queued in DBTaskResult.objects.filter(task_path__endswith="send_invitation"):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()
    return list(mail.outbox)


def link_in(message: Any) -> str:
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", message.body).group(0)
    return link.split("testserver", 1)[1]


def invite(client: Client, employee: Employee, capture: Any) -> str:
    """HR presses "Invite to sign in" on the profile; the path of the e-mailed link."""
    mail.outbox.clear()
    with capture(execute=True):
        response = client.post(f"/people/{employee.pk}/invite/", secure=True)
    assert response.status_code == 302
    sent = run_mail_tasks()
    assert len(sent) == 1
    return link_in(sent[0])


def test_hr_invites_an_employee_who_sets_a_password_and_is_signed_in(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    client = hr_client(login)
    profile = client.get(f"/people/{employee.pk}/", secure=True)
    assert b'data-state="none"' in profile.content and b"Invite to sign in" in profile.content
    path = invite(client, employee, django_capture_on_commit_callbacks)
    employee.refresh_from_db()
    membership = employee.membership
    assert membership is not None and membership.user.email == employee.work_email
    assert not membership.user.has_usable_password()
    assert mail.outbox[0].to == [employee.work_email]
    assert b'data-state="invited"' in client.get(f"/people/{employee.pk}/", secure=True).content
    sent = AuditEvent.objects.get(action="invitation.sent", tenant=employee.tenant)
    assert sent.changes["email"] == employee.work_email

    invitee = Client()
    page = invitee.get(path, secure=True)  # a mail scanner's visit changes nothing
    assert page.status_code == 200 and b"Demo BV" in page.content
    done = invitee.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert done.status_code == 302
    assert int(invitee.session["_auth_user_id"]) == membership.user_id
    assert invitee.get("/", secure=True).status_code == 200
    user = User.objects.get(pk=membership.user_id)
    assert user.check_password(NEW_PASSWORD)
    accepted = AuditEvent.objects.get(action="invitation.accepted", tenant=employee.tenant)
    assert accepted.actor_user_id == user.pk
    assert b'data-state="active"' in client.get(f"/people/{employee.pk}/", secure=True).content

    # Single use: the link now shows a clear page and changes nothing.
    again = Client().post(
        path, {"new_password1": "another long passphrase", "new_password2": "x"}, secure=True
    )
    assert again.status_code == 410 and b'data-testid="invitation-closed"' in again.content
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_the_token_is_stored_nowhere_only_its_hash(demo, login, django_capture_on_commit_callbacks):
    employee = newcomer()
    client = hr_client(login)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/{employee.pk}/invite/", secure=True)
    queued = DBTaskResult.objects.get(task_path__endswith="send_invitation")
    path = link_in(run_mail_tasks()[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits
    invitation = Invitation.objects.get(membership__employee=employee)
    assert invitation.token_hash != token and token not in invitation.nonce
    assert token not in str(queued.args_kwargs)
    with connection.cursor() as cursor:  # no column of any invitation or task holds it
        cursor.execute("SELECT * FROM identity_invitation")
        assert token not in str(cursor.fetchall())


def test_a_weak_password_is_refused_and_the_link_still_works(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    path = invite(hr_client(login), employee, django_capture_on_commit_callbacks)
    invitee = Client()
    short = invitee.post(path, {"new_password1": "short1", "new_password2": "short1"}, secure=True)
    assert short.status_code == 400 and "_auth_user_id" not in invitee.session
    employee.refresh_from_db()
    assert not employee.membership.user.has_usable_password()
    ok = invitee.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert ok.status_code == 302


def test_an_expired_link_shows_a_clear_page_and_changes_nothing(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    path = invite(hr_client(login), employee, django_capture_on_commit_callbacks)
    invitation = Invitation.objects.get(membership__employee=employee)
    assert invitation.expires_at - invitation.created_at == dt.timedelta(days=7)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    page = Client().post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert page.status_code == 410 and b"has expired" in page.content
    employee.refresh_from_db()
    assert not employee.membership.user.has_usable_password()


def test_resend_makes_a_new_link_and_the_old_one_stops_working(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    client = hr_client(login)
    old = invite(client, employee, django_capture_on_commit_callbacks)
    invited = client.get("/people/", {"account": "invited"}, secure=True)
    assert f"/people/{employee.pk}/".encode() in invited.content
    pending = Invitation.objects.get(membership__employee=employee)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        resent = client.post(f"/members/invitations/{pending.pk}/resend/", secure=True)
    assert resent.status_code == 302
    new = link_in(run_mail_tasks()[0])
    assert new != old
    assert Client().get(old, secure=True).status_code == 410
    assert Client().get(new, secure=True).status_code == 200
    assert AuditEvent.objects.filter(action="invitation.resent").exists()
    # The profile's button sends again, too.
    assert (
        b"Send the invitation again" in client.get(f"/people/{employee.pk}/", secure=True).content
    )


def test_revoke_closes_the_link(demo, login, django_capture_on_commit_callbacks):
    employee = newcomer()
    client = hr_client(login)
    path = invite(client, employee, django_capture_on_commit_callbacks)
    pending = Invitation.objects.get(membership__employee=employee)
    revoke = f"/members/invitations/{pending.pk}/revoke/"
    asked = client.post(revoke, secure=True)
    assert asked.status_code == 200 and "Revoke the invitation of" in asked.content.decode()
    assert Client().get(path, secure=True).status_code == 200  # asking revoked nothing
    assert client.post(revoke, {"confirmed": "1"}, secure=True).status_code == 302
    assert Client().get(path, secure=True).status_code == 410
    assert AuditEvent.objects.filter(action="invitation.revoked").exists()
    invited = client.get("/people/", {"account": "invited"}, secure=True)
    assert invited.status_code == 200
    assert f"/people/{employee.pk}/".encode() not in invited.content


def test_another_company_can_neither_see_resend_revoke_nor_invite(
    demo, login, django_capture_on_commit_callbacks
):
    employee = newcomer()
    path = invite(hr_client(login), employee, django_capture_on_commit_callbacks)
    employee.refresh_from_db()
    pending = Invitation.objects.get(membership__employee=employee)
    other = Client()
    other.force_login(User.objects.get(email=OTHER_HR))
    session = other.session
    session["kluis_tenant_id"] = Tenant.objects.get(slug="other-nv").pk
    session.save()
    listing = other.get("/members/", secure=True, follow=True).content
    assert listing and f"/people/{employee.pk}/".encode() not in listing
    assert other.post(f"/members/invitations/{pending.pk}/resend/", secure=True).status_code == 404
    for data in ({}, {"confirmed": "1"}):
        revoked = other.post(f"/members/invitations/{pending.pk}/revoke/", data, secure=True)
        assert revoked.status_code == 404
    assert other.post(f"/people/{employee.pk}/invite/", secure=True).status_code == 404
    assert (
        other.post("/people/invite/", {"employee": [employee.pk]}, secure=True).status_code == 302
    )
    assert Invitation.objects.filter(membership__employee=employee).count() == 1
    pending.refresh_from_db()
    assert pending.revoked_at is None
    # Signed in (as another company's HR), the link asks to sign out first and changes
    # nothing; nobody is signed in as, or into, anyone else.
    before = {u.pk: u.password for u in User.objects.all()}
    refused = other.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert refused.status_code == 409 and b'data-testid="invitation-signed-in"' in refused.content
    assert other.session["_auth_user_id"] == str(User.objects.get(email=OTHER_HR).pk)
    assert {u.pk: u.password for u in User.objects.all()} == before
    signed_out = other.post("/accounts/logout/", {"next": path}, secure=True)
    assert signed_out.status_code == 302 and signed_out["Location"] == path
    # In a browser where nobody is signed in, it sets the invitee's password and nobody else's.
    invitee = Client()
    accepted = invitee.post(
        path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, secure=True
    )
    assert accepted.status_code == 302
    assert int(invitee.session["_auth_user_id"]) == employee.membership.user_id
    after = {u.pk: u.password for u in User.objects.exclude(pk=employee.membership.user_id)}
    assert after == {pk: pw for pk, pw in before.items() if pk != employee.membership.user_id}


def test_a_member_without_the_permission_cannot_invite(demo, login):
    employee = newcomer()
    client = login("member1@demo-bv.test", "demo-bv")
    assert client.post(f"/people/{employee.pk}/invite/", secure=True).status_code in (403, 404)
    assert client.post("/people/invite/", {"everyone": "1"}, secure=True).status_code == 403
    assert not Invitation.objects.exists()


def test_bulk_invites_the_ticked_rows_and_everyone_without_a_login(
    demo, login, django_capture_on_commit_callbacks
):
    tenant = Tenant.objects.get(slug="demo-bv")
    without = list(
        Employee.objects.for_tenant(tenant)
        .filter(membership__isnull=True)
        .exclude(work_email="")
        .exclude(status="left")
        .order_by("pk")[:2]
    )
    client = hr_client(login)
    listing = client.get("/people/", secure=True)
    assert b'data-testid="invite-everyone"' in listing.content
    assert b'data-state="active"' in listing.content and b'data-state="none"' in listing.content
    with django_capture_on_commit_callbacks(execute=True):
        ticked = client.post(
            "/people/invite/", {"employee": [e.pk for e in without]}, secure=True, follow=True
        )
    assert b"Invitations were e-mailed to 2 people." in ticked.content
    assert Invitation.objects.filter(tenant=tenant).count() == 2
    expected = (
        Employee.objects.for_tenant(tenant)
        .filter(membership__isnull=True)
        .exclude(work_email="")
        .exclude(status="left")
        .count()
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/people/invite/", {"everyone": "1"}, secure=True)
    # The two already invited are not invited again; every other one without a login is.
    assert Invitation.objects.filter(tenant=tenant, revoked_at__isnull=True).count() == 2 + expected
    assert Membership.objects.for_tenant(tenant).filter(employee__isnull=False).count() >= expected
    assert DBTaskResult.objects.filter(task_path__endswith="send_invitation").count() == (
        2 + expected
    )


def test_unknown_links_count_against_the_address_and_are_throttled(demo, settings):
    settings.SIGNIN_ADDRESS_LIMIT = 3
    guesser = Client(REMOTE_ADDR="127.0.0.9")
    for attempt in range(3):
        page = guesser.get(f"/accounts/invitation/guess{attempt}/", secure=True)
        assert page.status_code == 404
    assert AddressFailures.objects.get(ip="127.0.0.9").failures == 3
    throttled = guesser.get("/accounts/invitation/guess-again/", secure=True)
    assert throttled.status_code == 429 and int(throttled["Retry-After"]) > 0
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="127.0.0.2").get("/accounts/invitation/x/", secure=True).status_code
        == 404
    )


def test_the_default_lifetime_is_a_setting():
    assert settings.INVITATION_DAYS == 7


def test_hr_filters_the_list_by_login_state(demo, login, django_capture_on_commit_callbacks):
    employee = newcomer()
    client = hr_client(login)
    invite(client, employee, django_capture_on_commit_callbacks)
    invited = client.get("/people/", {"account": "invited"}, secure=True)
    assert invited.status_code == 200
    assert invited.content.count(b'data-testid="account-state"') == 1
    assert f"/people/{employee.pk}/".encode() in invited.content
    # The Login filter of before (links kept elsewhere) narrows the same way.
    assert (
        f"/people/{employee.pk}/".encode()
        in client.get("/people/", {"login": "invited"}, secure=True).content
    )
    active = client.get("/people/", {"account": "active", "page_size": 200}, secure=True)
    assert b'data-state="active"' in active.content
    assert (
        b'data-state="none"' not in active.content and b'data-state="invited"' not in active.content
    )
    none = client.get("/people/", {"account": "none", "page_size": 200}, secure=True)
    assert b'data-state="none"' in none.content
    assert f"/people/{employee.pk}/".encode() not in none.content
