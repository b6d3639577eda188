"""The balance's scheduled jobs and the operators' command, and a balance as of any date."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from kluis.operations import schedule
from kluis.timeoff.models import LedgerEntry
from kluis.timeoff.selectors import balances_of
from kluis.timeoff.services.entitlements import grant_year
from kluis.timeoff.tasks import daily_expiries, daily_grants, grant_all
from tests.timeoff.balance_kit import D, leave_type, person


def test_the_daily_jobs_are_registered_once_a_day():
    jobs = {job.name: job for job in schedule.jobs()}
    assert jobs["timeoff.grants"].every_seconds == 86400
    assert jobs["timeoff.grants"].task == "kluis.timeoff.tasks.daily_grants"
    assert jobs["timeoff.expiries"].task == "kluis.timeoff.tasks.daily_expiries"


def test_the_grant_job_grants_every_company_once(demo):
    daily_grants.call()  # as the worker runs it
    written = LedgerEntry.objects.filter(kind__in=("grant", "accrual")).count()
    assert written > 0
    assert set(grant_all(2026).values()) == {0}  # again: nothing more
    assert LedgerEntry.objects.filter(kind__in=("grant", "accrual")).count() == written
    result = daily_expiries.call()
    assert set(result) == {"notices", "lines"}


def test_the_command_grants_a_year_for_one_company(demo):
    out = io.StringIO()
    call_command("timeoff_grant", year=2026, company="demo-bv", stdout=out)
    assert "demo-bv:" in out.getvalue() and "written for 2026" in out.getvalue()
    assert not LedgerEntry.objects.filter(tenant__slug="other-nv", kind="grant").exists()
    again = io.StringIO()
    call_command("timeoff_grant", year=2026, company="demo-bv", stdout=again)
    assert "demo-bv: 0 line(s) written for 2026" in again.getvalue()
    with pytest.raises(CommandError):
        call_command("timeoff_grant", year=2026, company="no-such-company")


# A balance as of a date is made of the entries effective by then (and the leave planned
# after it): next year's grant, written ahead in December, is not there before 1 January.
AS_OF_ROWS = [
    # (as of, entitled, remaining) of the legal holiday, full time 38 h since 2025
    (D(2026, 6, 15), "152.00", "114.00"),  # 152 granted, 38 h planned in August
    (D(2026, 8, 31), "152.00", "114.00"),  # the 38 h are taken now, not planned
    (D(2027, 2, 1), "152.00", "266.00"),  # 2027's 152 h, and 2026's 114 h not yet expired
]


@pytest.mark.parametrize(("as_of", "entitled", "remaining"), AS_OF_ROWS)
def test_a_balance_as_of_a_date(bv, hr, as_of, entitled, remaining):
    someone = person(bv, (D(2025, 1, 1), None, "38", None))
    holiday = leave_type(bv, "legal-holiday")
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    grant_year(hr, bv, 2027, employee_ids=[someone.pk], today=D(2026, 12, 1))
    LedgerEntry.objects.create(
        tenant=bv,
        employee=someone,
        leave_type=holiday,
        kind="use",
        hours=Decimal("-38"),
        effective=D(2026, 8, 3),
        year=2026,
        actor_label="test",
    )
    (row,) = [r for r in balances_of(hr, someone, as_of=as_of) if r.leave_type == holiday]
    assert row.balance.entitled == Decimal(entitled)
    assert row.balance.remaining == Decimal(remaining)
