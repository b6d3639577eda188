"""Expiry notices of many people are told in chunks, each its own transaction with its
audit event, so a December morning of a large company never holds the database's write
lock for all of them at once; a run that stopped halfway is finished by the next, and no
one is told twice."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kluis.audit.models import AuditEvent
from kluis.company.models import Notice
from kluis.people.models import Employee
from kluis.timeoff.models import ExpiryNotice, LedgerEntry
from kluis.timeoff.services import expiry
from kluis.timeoff.services.expiry import send_expiry_notices
from tests.timeoff.balance_kit import D, leave_type


@pytest.fixture
def nv(demo):
    return demo["other-nv"]


def _statutory_left(tenant, employees):
    statutory = leave_type(tenant, "statutory")
    LedgerEntry.objects.filter(employee__in=employees).delete()
    for employee in employees:
        LedgerEntry.objects.create(
            tenant=tenant,
            employee=employee,
            leave_type=statutory,
            kind="grant",
            hours=Decimal(40),
            effective=D(2026, 1, 1),
            year=2026,
            tranche="2026-statutory",
            expires_on=D(2027, 7, 1),
            actor_label="test",
        )


def test_notices_are_written_in_chunks_each_audited_and_nobody_is_told_twice(
    nv, monkeypatch, django_capture_on_commit_callbacks
):
    people = list(
        Employee.objects.for_tenant(nv).filter(membership__isnull=False).order_by("pk")[:5]
    )
    assert len(people) == 5
    _statutory_left(nv, people)
    monkeypatch.setattr(expiry, "NOTICE_CHUNK", 2)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        assert send_expiry_notices(D(2027, 4, 2), tenant=nv) == 5
    assert len(queued) == 5  # each e-mail queued when its chunk commits
    assert ExpiryNotice.objects.filter(employee__in=people).count() == 5
    told = Notice.objects.filter(topic="timeoff.expiry")
    assert sorted(told.values_list("membership_id", flat=True)) == sorted(
        p.membership_id for p in people
    )
    events = AuditEvent.objects.filter(tenant=nv, action="balances.expiry_notices_sent")
    assert [e.changes["notices"]["new"] for e in events.order_by("pk")] == [2, 2, 1]
    assert send_expiry_notices(D(2027, 4, 3), tenant=nv) == 0
    assert told.count() == 5


def test_a_run_stopped_halfway_is_finished_by_the_next_without_telling_anyone_twice(
    nv, monkeypatch
):
    people = list(
        Employee.objects.for_tenant(nv).filter(membership__isnull=False).order_by("pk")[:3]
    )
    _statutory_left(nv, people)
    monkeypatch.setattr(expiry, "NOTICE_CHUNK", 2)
    original = expiry._write_notices
    calls = []

    def stop_after_first(*args, **kwargs):
        if calls:
            raise RuntimeError("the worker stopped")
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(expiry, "_write_notices", stop_after_first)
    with pytest.raises(RuntimeError):
        send_expiry_notices(D(2027, 4, 2), tenant=nv)
    assert ExpiryNotice.objects.filter(employee__in=people).count() == 2
    monkeypatch.setattr(expiry, "_write_notices", original)
    assert send_expiry_notices(D(2027, 4, 2), tenant=nv) == 1
    told = Notice.objects.filter(topic="timeoff.expiry")
    assert sorted(told.values_list("membership_id", flat=True)) == sorted(
        p.membership_id for p in people
    )
