"""Carrying out an approved offboarding: every door the leaver held closes, the company's
integrations go to the named owner (still working), the admins are told, the employee
has left and stays readable to HR; once, whoever runs it and however often."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from oauth2_provider.models import AccessToken, RefreshToken

from kluis.audit.models import AuditEvent
from kluis.company.models import Notice
from kluis.identity.app_token_models import AppTokenFamily
from kluis.integrations.models import ApiClient, ApiKey, DomainEvent, OAuthConnection
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.integrations.webhooks.owners import owner_of
from kluis.offboarding import revocation, tasks
from kluis.offboarding.models import Offboarding, Status
from kluis.people.models import Employment
from tests.conftest import member
from tests.offboarding.support import (
    HR,
    LEAVER,
    OWNER,
    api_status,
    approve,
    employee_of,
    open_doors,
    request_offboarding,
)


def test_every_door_closes_and_the_company_s_integrations_are_handed_over(demo, login):
    doors = open_doors()
    leaver = member(LEAVER, "demo-bv")
    heir = member(OWNER, "demo-bv")
    assert api_status(doors.key_plaintext) == 200
    basic = f"{doors.basic.client_id}:{doors.basic_secret}"
    assert api_status(basic, basic=True) == 200
    assert api_status(doors.app_access) == 200
    employee = employee_of(LEAVER)
    offboarding = approve(request_offboarding(employee, handover_to=heir))

    assert tasks.run_due() == [offboarding.pk]

    # Their own access: all gone.
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert not leaver.is_active and not leaver.user.is_active
    response = doors.browser.get("/", secure=True)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert api_status(doors.key_plaintext) == 401
    assert api_status(doors.app_access) == 401
    assert ApiKey.objects.get(pk=doors.key.pk).revoked_at is not None
    assert not AccessToken.objects.filter(pk=doors.oauth_access.pk).exists()
    assert RefreshToken.objects.get(pk=doors.oauth_refresh.pk).revoked is not None
    assert OAuthConnection.objects.get(pk=doors.connection.pk).revoked_at is not None
    assert not AppTokenFamily.objects.filter(user=leaver.user, revoked_at__isnull=True).exists()
    # The company's integrations: handed to the named owner, still working.
    for client in (doors.basic, doors.oauth_client):
        client.refresh_from_db()
        assert client.revoked_at is None and client.owner_id == heir.user_id
        assert client.created_by_id == leaver.user_id
    assert api_status(basic, basic=True) == 200
    webhook = WebhookSubscription.objects.get(pk=doors.webhook.pk)
    assert webhook.owner_id == heir.user_id and webhook.enabled
    assert owner_of(webhook).user_id == heir.user_id
    # The admins (and the new owner) are told.
    told = Notice.objects.filter(topic="offboarding.handed_over", tenant=demo["demo-bv"])
    assert {n.membership.user.email for n in told} >= {OWNER, HR}
    # The one audit event says exactly what was revoked.
    offboarding.refresh_from_db()
    assert offboarding.status == Status.EXECUTED and offboarding.executed_at is not None
    event = AuditEvent.objects.for_tenant(demo["demo-bv"]).get(
        action="offboarding.executed", object_id=str(offboarding.pk)
    )
    revoked = event.changes["revoked"]
    assert revoked["api_keys"] == [doors.key.pk]
    assert revoked["oauth_connections"] == [doors.connection.pk]
    assert revoked["oauth_tokens"] == {
        "access": [doors.oauth_access.pk],
        "refresh": [doors.oauth_refresh.pk],
    }
    assert revoked["handed_over"] == {
        "to": heir.pk,
        "api_clients": sorted([doors.basic.pk, doors.oauth_client.pk]),
        "webhooks": [doors.webhook.pk],
    }
    assert revoked["counts"]["sessions"] >= 1 and revoked["counts"]["app_token_families"] == 1
    assert revoked["account_deactivated"] is True and revoked["marked_left"] is True
    assert event.changes["requested_by"] == offboarding.requested_by_label
    assert event.changes["approved_by"] == offboarding.approved_by_label
    assert DomainEvent.objects.filter(name="offboarding.executed").count() == 1
    # They left, at their last day; HR still reads their file.
    employee.refresh_from_db()
    assert employee.status == "left"
    contract = Employment.objects.filter(employee=employee).order_by("-start_date").first()
    assert contract is not None and contract.end_date == offboarding.last_day
    hr = login(HR, "demo-bv")
    page = hr.get(f"/people/{employee.pk}/", secure=True)
    assert page.status_code == 200
    assert 'data-testid="offboarding-panel"' in page.content.decode()
    trail = hr.get(f"/offboarding/{offboarding.pk}/", secure=True).content.decode()
    assert offboarding.approved_by_label in trail and 'data-testid="revoked-table"' in trail
    # The audit log shows the event, as a sentence and with what it revoked.
    page = hr.get(f"/audit/{event.pk}/", secure=True)
    assert page.status_code == 200
    assert "revoked the access of" in page.content.decode()
    assert doors.key.prefix in page.content.decode()


def test_two_runs_carry_it_out_once(demo):
    employee = employee_of(LEAVER)
    offboarding = approve(request_offboarding(employee))

    assert tasks.run_due() == [offboarding.pk]
    assert tasks.run_due() == []
    assert revocation.execute(offboarding.pk) is False
    assert (
        AuditEvent.objects.filter(
            action="offboarding.executed", object_id=str(offboarding.pk)
        ).count()
        == 1
    )


def test_nothing_happens_before_the_moment_or_without_approval(demo):
    waiting = request_offboarding(employee_of(LEAVER))
    later = approve(
        request_offboarding(
            employee_of("member2@demo-bv.test"),
            moment="end_of_last_day",
            last_day=timezone.localdate() + dt.timedelta(days=3),
        )
    )

    assert tasks.run_due() == []
    assert member(LEAVER, "demo-bv").is_active and member("member2@demo-bv.test").is_active
    assert waiting.status == Status.REQUESTED and later.status == Status.APPROVED
    # At the end of the last day, in the company's time zone, it is due.
    moment = later.effective_at
    assert moment is not None and timezone.localtime(moment).hour == 0
    assert revocation.due(moment - dt.timedelta(seconds=1)) == []
    assert revocation.due(moment) == [later.pk]


def test_a_moment_missed_while_the_worker_was_down_is_carried_out_at_its_start(demo):
    from django_tasks_db.models import DBTaskResult

    from kluis.operations import schedule

    offboarding = approve(
        request_offboarding(
            employee_of(LEAVER),
            moment="end_of_last_day",
            last_day=timezone.localdate() + dt.timedelta(days=1),
        )
    )
    # The worker was down when the last day ended: the moment is long past.
    Offboarding.objects.filter(pk=offboarding.pk).update(
        effective_at=timezone.now() - dt.timedelta(days=2)
    )
    assert member(LEAVER, "demo-bv").is_active

    # The worker starts: its first tick queues the job (no run of this minute yet) ...
    assert "offboarding.execute_due" in schedule.run_due()
    queued = DBTaskResult.objects.filter(task_path="kluis.offboarding.tasks.execute_due")
    assert queued.count() == 1
    # ... which carries out what was missed.
    assert tasks.execute_due.call() == [offboarding.pk]
    assert not member(LEAVER, "demo-bv").is_active


def test_another_company_s_offboarding_touches_nothing_here(demo):
    here = open_doors()
    there = open_doors("member1@other-nv.test", "other-nv")
    offboarding = approve(
        request_offboarding(
            employee_of("member1@other-nv.test", "other-nv"),
            by="hr@other-nv.test",
        ),
        by="owner@other-nv.test",
    )

    assert tasks.run_due() == [offboarding.pk]

    assert member(LEAVER, "demo-bv").is_active
    assert api_status(here.key_plaintext) == 200
    assert api_status(there.key_plaintext) == 401
    assert ApiClient.objects.get(pk=here.basic.pk).owner_id == member(LEAVER).user_id
    assert here.browser.get("/", secure=True).status_code == 200
    assert not Notice.objects.filter(
        topic="offboarding.handed_over", tenant=demo["demo-bv"]
    ).exists()


def test_an_offboarding_that_cannot_be_carried_out_changes_nothing_and_the_admins_hear(demo):
    from kluis.access.models import Role, RoleAssignment

    # A second owner leaves; before the moment, the first owner's membership ends too:
    # the leaver would be the company's last owner.
    tenant = demo["demo-bv"]
    second = member("member2@demo-bv.test")
    owner_role = Role.objects.get(tenant=tenant, builtin_key="owner")
    RoleAssignment.objects.create(tenant=tenant, membership=second, role=owner_role)
    offboarding = approve(request_offboarding(employee_of("member2@demo-bv.test")))
    RoleAssignment.objects.filter(membership=member(OWNER), role=owner_role).delete()

    assert tasks.run_due() == []

    offboarding.refresh_from_db()
    assert offboarding.status == Status.FAILED and "last owner" in offboarding.failure
    assert offboarding.executed_at is None and offboarding.revoked == {}
    assert member("member2@demo-bv.test").is_active
    assert Employment.objects.filter(employee=offboarding.employee, end_date__isnull=True).exists()
    assert Notice.objects.filter(topic="offboarding.failed", membership=member(HR)).exists()
    assert AuditEvent.objects.filter(action="offboarding.failed").count() == 1
    assert tasks.run_due() == []  # not tried again every minute
