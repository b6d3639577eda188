"""The development outbox (issue 13): every e-mail Kluis sends in development is printed to
the console and kept in the database, readable at /dev/outbox/ by the platform operator
only (its mails hold every member's reset, invitation and unblock links); the page is off
(404) with any other mail backend, and production refuses to start with it."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.mail import send_mail
from django.test import Client
from django_tasks_db.models import DBTaskResult

from kluis.identity.models import User
from kluis.operations import outbox
from kluis.operations.models import OutboxMessage
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.crypto.conftest import KLUIS, ROOT, new_key_text

OUTBOX = {"default": {"BACKEND": outbox.BACKEND}}
PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def outbox_on(settings: Any) -> None:
    settings.MAILERS = OUTBOX
    cache.clear()


def operator_client() -> Client:
    """The person running this Kluis, signed in (the demo's operator@kluis.test)."""
    client = Client()
    client.force_login(User.objects.get(email="operator@kluis.test", is_staff=True))
    return client


def test_an_invitation_is_shown_in_the_outbox_and_its_link_works(
    demo, login, outbox_on, capsys, django_capture_on_commit_callbacks
):
    tenant = Tenant.objects.get(slug="demo-bv")
    employee = (
        Employee.objects.for_tenant(tenant)
        .filter(membership__isnull=True)
        .exclude(work_email="")
        .exclude(status="left")
        .first()
    )
    hr = login("hr@demo-bv.test", "demo-bv")
    with django_capture_on_commit_callbacks(execute=True):
        hr.post(f"/people/{employee.pk}/invite/", secure=True)
    queued = DBTaskResult.objects.get(task_path__endswith="send_invitation")
    queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])  # the worker
    assert "You are invited to Demo BV on Kluis" in capsys.readouterr().out  # the console
    stored = OutboxMessage.objects.get()
    assert stored.to == employee.work_email

    page = operator_client().get("/dev/outbox/", secure=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "You are invited to Demo BV on Kluis" in html and employee.work_email in html
    href = unescape(re.search(r'<a href="([^"]+/accounts/invitation/[^"]+)"', html).group(1))
    path = href.split("testserver", 1)[1]
    invitee = Client()
    accepted = invitee.post(
        path, {"new_password1": PASSPHRASE, "new_password2": PASSPHRASE}, secure=True
    )
    assert accepted.status_code == 302
    assert User.objects.get(email=employee.work_email).check_password(PASSPHRASE)


def test_the_outbox_lists_newest_first_for_the_operator_only(demo, login, outbox_on):
    send_mail("First message", "Body one", None, ["a@demo-bv.test"])
    send_mail("Second message", "Body two https://example.test/x", None, ["b@demo-bv.test"])
    anonymous = Client().get("/dev/outbox/", secure=True)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    html = operator_client().get("/dev/outbox/", secure=True).content.decode()
    assert html.index("Second message") < html.index("First message")
    assert '<a href="https://example.test/x"' in html


@pytest.mark.parametrize("email", ["member1@demo-bv.test", "hr@demo-bv.test", "owner@demo-bv.test"])
def test_a_company_member_cannot_read_the_outbox(demo, login, outbox_on, email):
    """An employee reading the owner's password reset link would take over the owner's
    account: the outbox answers a company's members as if it did not exist."""
    send_mail("Reset your password", "https://testserver/accounts/password/reset/key/x", None,
              ["owner@demo-bv.test"])  # fmt: skip
    page = Client()
    page.force_login(User.objects.get(email=email))
    answer = page.get("/dev/outbox/", secure=True)
    assert answer.status_code == 404
    assert b"Reset your password" not in answer.content


def test_the_outbox_keeps_only_the_newest(demo, outbox_on, monkeypatch):
    monkeypatch.setattr(outbox, "KEEP", 3)
    for n in range(5):
        send_mail(f"Message {n}", "body", None, ["a@demo-bv.test"])
    assert sorted(OutboxMessage.objects.values_list("subject", flat=True)) == [
        "Message 2",
        "Message 3",
        "Message 4",
    ]


def test_the_outbox_page_is_off_with_another_backend(demo, login):
    # The test suite's own mail backend (locmem) stands for SMTP here.
    assert login("member1@demo-bv.test").get("/dev/outbox/", secure=True).status_code == 404


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_development_uses_the_outbox_by_default(tmp_path: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update({"KLUIS_DATA_DIR": str(tmp_path), "KLUIS_ENV": "development"})
    result = subprocess.run(
        [
            str(Path(KLUIS).parent / "python"),
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'kluis.settings'); django.setup(); from django.conf import settings; "
            "from kluis.operations.mailing import configured_backend; "
            "print(configured_backend(settings.MAILERS))",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.stdout.strip() == outbox.BACKEND, result.stderr


@pytest.mark.own_sqlite  # child processes on their own SQLite, whatever the stage's database
def test_production_refuses_to_start_with_the_outbox(tmp_path: Path):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("KLUIS_", "DJANGO_"))}
    environment.update(
        {
            "KLUIS_DATA_DIR": str(tmp_path),
            "KLUIS_ENV": "production",
            "KLUIS_SECRET_KEY": secrets.token_urlsafe(64),
            "KLUIS_ALLOWED_HOSTS": "hr.example.com",
            "KLUIS_MASTER_KEY": new_key_text(),
            "KLUIS_EMAIL_BACKEND": outbox.BACKEND,
            "PYTHONPATH": str(ROOT),  # this checkout's code, whatever the environment installed
        }
    )
    result = subprocess.run(
        [KLUIS, "manage", "check"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "must not be the development outbox" in result.stderr
