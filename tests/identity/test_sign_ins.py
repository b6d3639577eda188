"""Every sign-in and failed sign-in is an audit event of the account's companies; a
sign-in from a browser not seen before is e-mailed to the person."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from kluis.audit.models import AuditEvent
from kluis.audit.services import verify_tenant
from kluis.identity.devices import describe_agent
from kluis.tenancy.models import Tenant

CONSULTANT = "consultant@kluis.test"  # a member of both demo companies


FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)


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
        sign_in(email, settings.DEMO_PASSWORD, agent=FIREFOX_ON_WINDOWS, ip="127.0.0.7")
    run_queued_notices()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [email]
    assert "127.0.0.7" in message.body and "Firefox on Windows" in message.body


@pytest.mark.parametrize(
    ("agent", "shown"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "curl"),
        ("", ""),
    ],
)
def test_a_browser_is_named_as_people_know_it(agent, shown):
    assert describe_agent(agent) == shown


def test_the_sessions_page_names_browsers_and_methods_in_words(demo):
    client = Client(REMOTE_ADDR="127.0.0.32", HTTP_USER_AGENT=FIREFOX_ON_WINDOWS)
    client.post(
        "/accounts/login/",
        {"login": "member2@demo-bv.test", "password": settings.DEMO_PASSWORD},
        secure=True,
    )
    text = client.get("/accounts/sessions/", secure=True).content.decode()
    assert ">Firefox on Windows<" in text  # the session and the sign-in, in words
    assert ">Password<" in text and ">password<" not in text


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


def test_the_password_step_speaks_the_page_s_words(demo):
    page = Client().post(
        "/accounts/login/continue/",
        {"login": "member1@demo-bv.test", "use_password": "1"},
        secure=True,
    )
    html = page.content.decode()
    assert html.count("Forgot your password?") == 1  # the page's link, not a second one
    assert "E-mail address" in html and ">Email<" not in html
