"""A large company's sandbox is prepared by the worker; expiry is a scheduled job; the
source's outbox hears of sandboxes; notices sent from a sandbox are labelled."""

from __future__ import annotations

import pytest
from django.core import mail

from kluis.company.models import Notice
from kluis.company.notices import notify, send_notices
from kluis.integrations.models import DomainEvent
from kluis.operations import schedule
from kluis.operations.mailing import wrap
from kluis.people.models import Employee
from kluis.sandbox import services
from kluis.sandbox.models import Sandbox
from kluis.sandbox.tasks import prepare_sandbox
from kluis.tenancy.models import Membership
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db


def test_a_large_company_is_prepared_by_the_worker(
    demo, settings, django_capture_on_commit_callbacks
):
    settings.SANDBOX_FOREGROUND_PEOPLE = 10
    owner = actor_for("owner@other-nv.test", "other-nv")
    with django_capture_on_commit_callbacks() as queued:
        sandbox = services.create_sandbox(owner, demo["other-nv"], lifetime_days=3)
    assert sandbox.status == Sandbox.Status.PREPARING
    assert not Employee.objects.for_tenant(sandbox.company).exists()
    assert any("create_sandbox" in c.__qualname__ for c in queued)  # the task, at commit
    page = owner_page(sandbox)
    assert "Being prepared (0 of" in page
    prepare_sandbox.call(sandbox.company_id, "owner@other-nv.test")  # what the worker runs
    sandbox.refresh_from_db()
    assert sandbox.status == Sandbox.Status.READY
    assert sandbox.people_made == Employee.objects.for_tenant(demo["other-nv"]).count()
    assert Employee.objects.for_tenant(sandbox.company).count() == sandbox.people_made


def owner_page(sandbox: Sandbox) -> str:
    from django.test import Client

    from tests.conftest import member

    client = Client()
    m = member("owner@other-nv.test", "other-nv")
    client.force_login(m.user)
    session = client.session
    session["kluis_tenant_id"] = m.tenant_id
    session.save()
    return client.get("/settings/sandboxes/", secure=True).content.decode()


def test_the_expiry_job_is_scheduled():
    job = next(j for j in schedule.jobs() if j.name == "sandbox-expiry")
    assert job.task == "kluis.sandbox.tasks.expire_sandboxes"


def test_the_source_outbox_hears_of_the_sandbox(made):
    names = DomainEvent.objects.for_tenant(made.source).filter(name__startswith="sandbox.")
    assert list(names.values_list("name", flat=True)) == ["sandbox.created"]


def test_notices_sent_from_a_sandbox_are_labelled(made, settings):
    settings.MAILERS = {
        "default": wrap({"BACKEND": "django.core.mail.backends.locmem.EmailBackend"})
    }
    mail.outbox = []
    owner = Membership.objects.for_tenant(made.company).get(user__email="owner@demo-bv.test")
    notices = notify(
        [owner], topic="leave_request.approved", compose=lambda: ("Leave approved", "Enjoy.")
    )
    send_notices.call([n.pk for n in notices])
    assert [m.subject for m in mail.outbox] == ["[Sandbox] Leave approved"]
    assert Notice.objects.for_tenant(made.company).count() == 1
