"""Every sign-in and failed sign-in is an audit event of the account's companies; a
sign-in from a browser not seen before is e-mailed to the person."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from kluis.audit.models import AuditEvent
from kluis.audit.services import verify_tenant
from kluis.tenancy.models import Tenant

CONSULTANT = "consultant@kluis.test"  # a member of both demo companies


def sign_in(email: str, password: str, agent: str = "Browser A", ip: str = "127.0.0.5") -> Any:
    client = Client(REMOTE_ADDR=ip, HTTP_USER_AGENT=agent)
    return client.post("/accounts/login/", {"login": email, "password": password}, secure=True)


def run_queued_notices() -> None:
    for queued in DBTaskResult.objects.filter(task_path__endswith="send_new_device_notice"):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.delete()


def test_a_sign_in_is_an_audit_event_in_each_of_the_person_s_companies(demo):
    assert sign_in(CONSULTANT, settings.DEMO_PASSWORD).status_code == 302
    for tenant in Tenant.objects.all():
        event = AuditEvent.objects.get(tenant=tenant, action="signin.succeeded")
        assert event.object_repr == CONSULTANT
        assert event.changes == {
            "ip": "127.0.0.5",
            "user_agent": "Browser A",
            "method": "password",
        }
        assert verify_tenant(tenant).ok


def test_a_wrong_password_is_an_audit_event_and_an_unknown_address_none(demo):
    before = AuditEvent.objects.count()
    assert sign_in("nobody@demo-bv.test", "a wrong password, long enough").status_code == 200
    assert AuditEvent.objects.count() == before
    assert sign_in("hr@demo-bv.test", "a wrong password, long enough").status_code == 200
    event = AuditEvent.objects.get(action="signin.failed")
    assert event.object_repr == "hr@demo-bv.test"
    assert event.changes["ip"] == "127.0.0.5"
    assert "a wrong password" not in str(event.changes)


def test_a_sign_in_from_a_new_browser_is_emailed(demo, django_capture_on_commit_callbacks):
    email = "member1@demo-bv.test"
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(email, settings.DEMO_PASSWORD, agent="Laptop Firefox")  # the first ever
        sign_in(email, settings.DEMO_PASSWORD, agent="Laptop Firefox")  # known
    run_queued_notices()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        sign_in(email, settings.DEMO_PASSWORD, agent="Unknown Phone", ip="127.0.0.7")
    run_queued_notices()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert "127.0.0.7" in message.body and "Unknown Phone" in message.body


def test_a_person_sees_their_own_recent_sign_ins_on_the_sessions_page(demo):
    sign_in("member2@demo-bv.test", "a wrong password, long enough", "Browser X", "127.0.0.31")
    sign_in("member1@demo-bv.test", "another wrong password, long too", "Browser Z", "127.0.0.33")
    client = Client(REMOTE_ADDR="127.0.0.32", HTTP_USER_AGENT="Browser Y")
    response = client.post(
        "/accounts/login/",
        {"login": "member2@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    assert response.status_code == 302
    text = client.get("/accounts/sessions/", secure=True).content.decode()
    recent = text[text.index('data-testid="recent-sign-ins"') :]
    assert "Signed in" in recent and "127.0.0.32" in recent and "Browser Y" in recent
    assert "Wrong password" in recent and "127.0.0.31" in recent and "Browser X" in recent
    assert recent.index("127.0.0.32") < recent.index("127.0.0.31")  # newest first
    # Someone else's sign-ins are not shown.
    assert "127.0.0.33" not in text and "Browser Z" not in text
