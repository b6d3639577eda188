"""An offboarding HR starts brings the leaver's offboarding checklist (the matching
template, due dates from the last working day); one already open is not doubled."""

from __future__ import annotations

import datetime as dt

from kluis.checklists.models import Checklist
from kluis.offboarding.services import request_offboarding
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for

LAST_DAY = dt.date(2026, 12, 31)


def _leaver(tenant: Tenant) -> Employee:
    return Employee.objects.get(tenant=tenant, work_email="member2@demo-bv.test")


def test_starting_an_offboarding_starts_the_leavers_checklist(demo: dict[str, Tenant]) -> None:
    tenant = demo["demo-bv"]
    leaver = _leaver(tenant)
    assert not Checklist.objects.filter(employee=leaver, kind="offboarding").exists()
    request_offboarding(
        actor_for("hr@demo-bv.test", "demo-bv"),
        leaver,
        {"last_day": LAST_DAY.isoformat(), "reason": "Moving on", "moment": "end_of_last_day"},
    )
    checklist = Checklist.objects.get(employee=leaver, kind="offboarding")
    assert checklist.anchor_date == LAST_DAY
    assert checklist.status == "open"
    assert checklist.tasks.exists()


def test_an_open_offboarding_checklist_is_not_doubled(demo: dict[str, Tenant]) -> None:
    from kluis.checklists.selectors import matching_template
    from kluis.checklists.services import start_checklist

    tenant = demo["demo-bv"]
    leaver = _leaver(tenant)
    hr = actor_for("hr@demo-bv.test", "demo-bv")
    template = matching_template(tenant, "offboarding", leaver)
    assert template is not None
    start_checklist(hr, leaver, template, anchor_date=LAST_DAY)
    request_offboarding(
        hr,
        leaver,
        {"last_day": LAST_DAY.isoformat(), "reason": "Moving on", "moment": "end_of_last_day"},
    )
    assert Checklist.objects.filter(employee=leaver, kind="offboarding").count() == 1
