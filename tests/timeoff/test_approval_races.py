"""Two approvals at once on PostgreSQL cannot both take the last day of a balance: the
second waits for the first (the employee's row lock) and is then refused."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from kluis.timeoff import services
from kluis.timeoff.models import LeaveRequest, LedgerEntry
from kluis.timeoff.services import ConflictError
from kluis.timeoff.services.ledger import remaining
from tests.conftest import actor_for
from tests.timeoff.conftest import employee_of, grant, next_weekday

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_approvals_at_once_cannot_both_take_the_last_day(demo):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs one write transaction at a time")
    bv = demo["demo-bv"]
    from kluis.timeoff.models import LeaveType

    holiday = LeaveType.objects.for_tenant(bv).get(code="legal-holiday")
    worker = actor_for("member1@demo-bv.test", "demo-bv")
    me = employee_of("member1@demo-bv.test")
    grant(me, holiday, "15.2")
    monday = next_weekday(dt.date.today() + dt.timedelta(days=21), 0, tenant=bv)
    first = services.request_leave(
        worker, me, {"leave_type": holiday, "start_date": monday, "end_date": monday}
    )
    second = services.request_leave(
        worker,
        me,
        {
            "leave_type": holiday,
            "start_date": monday + dt.timedelta(days=1),
            "end_date": monday + dt.timedelta(days=1),
        },
    )
    # Someone else's day is taken back: only one of the two can still be approved.
    LedgerEntry.objects.create(
        tenant_id=bv.pk,
        employee=me,
        leave_type=holiday,
        kind="correction",
        hours=Decimal("-7.6"),
        effective=dt.date(monday.year, 1, 1),
        year=monday.year,
        tranche=str(monday.year),
        actor_label="test",
    )
    outcome: dict[str, str] = {}

    def approve_second() -> None:
        try:
            services.approve_request(actor_for("hr@demo-bv.test", "demo-bv"), second)
            outcome["second"] = "approved"
        except ConflictError as refused:
            outcome["second"] = f"refused: {refused}"
        finally:
            connections.close_all()

    with transaction.atomic():
        services.approve_request(actor_for("manager@demo-bv.test", "demo-bv"), first)
        other = threading.Thread(target=approve_second)
        other.start()
        other.join(timeout=1.5)
        assert other.is_alive(), "the second approval did not wait for the first"
    other.join(timeout=30)
    assert not other.is_alive()
    assert outcome["second"].startswith("refused: Beyond your balance"), outcome
    assert remaining(bv.pk, me.pk, holiday.pk) == Decimal("0.00")
    statuses = sorted(
        LeaveRequest.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    )
    assert statuses == ["approved", "pending"]
