"""The year's entitlements written into the ledger (grant_year), as worked examples: each
row names the contracts, the year and the hours expected, with their derivation."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from kluis.audit.models import AuditEvent
from kluis.timeoff.models import Absence, LedgerEntry
from kluis.timeoff.selectors import balances_of
from kluis.timeoff.services.balances import record_certificate
from kluis.timeoff.services.entitlements import RECOMPUTED, grant_year
from tests.conftest import actor_for
from tests.timeoff.balance_kit import FOUR_DAYS_32, FOUR_FIFTHS, D, leave_type, lines, person

FT = "38"  # a Belgian full-time week, 7.6 h a day
JUNE = D(2026, 6, 15)

# Belgium 2026 (Demo BV): the legal holiday is earned in 2025 (20 days for 12 months, the
# white-collar table), extra-legal days are 6 a year pro rata; both expire 1 Jan 2027.
BE_ROWS = [
    # (example, contracts, legal holiday h, extra-legal h)
    ("full time both years", [(D(2025, 1, 1), None, FT, None)], "152.00", "45.60"),
    #   20 x 7.6 = 152; 6 x 38/5 = 45.6
    ("4/5 both years", [(D(2025, 1, 1), None, "30.4", FOUR_FIFTHS)], "121.60", "36.48"),
    #   20 days of 30.4/5 = 6.08 h = 121.6 (4 weeks of 30.4); 6 x 6.08 = 36.48
    ("joiner 1 July 2026", [(D(2026, 7, 1), None, FT, None)], "0.00", "22.99"),
    #   no service in 2025: nothing; 45.6 x 184/365 = 22.987
    ("joiner 1 April 2025", [(D(2025, 4, 1), None, FT, None)], "114.00", "45.60"),
    #   9 months of 2025 -> 15 days x 7.6 = 114
    ("leaver 30 Sep 2026", [(D(2025, 1, 1), D(2026, 9, 30), FT, None)], "152.00", "34.11"),
    #   earned in 2025 in full; 45.6 x 273/365 = 34.106
    (
        "full time 2025, 4/5 from 2026",
        [(D(2025, 1, 1), D(2025, 12, 31), FT, None), (D(2026, 1, 1), None, "30.4", FOUR_FIFTHS)],
        "121.60",
        "36.48",
    ),
    #   20 days of 7.6 = 152, capped at 4 weeks of the 2026 pattern: 4 x 30.4 = 121.6
    (
        "half time 2025, full time 2026",
        [(D(2025, 1, 1), D(2025, 12, 31), "19", None), (D(2026, 1, 1), None, FT, None)],
        "76.00",
        "45.60",
    ),
    #   20 days of 3.8 h = 76 (10 full days)
    ("left in 2025", [(D(2024, 1, 1), D(2025, 6, 30), FT, None)], None, None),
    #   no contract in 2026: no lines
]


@pytest.mark.parametrize(("example", "contracts", "legal", "extra"), BE_ROWS)
def test_belgian_entitlements(bv, hr, example, contracts, legal, extra):
    someone = person(bv, *contracts)
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE)
    for code, hours in (("legal-holiday", legal), ("extra-legal", extra)):
        written = lines(someone, leave_type(bv, code))
        if hours is None or hours == "0.00":
            assert written == [], example
        else:
            assert written == [("grant", Decimal(hours), "2026")], example


# Sick periods in the service year 2025 of someone full time since 2024: illness counts as
# work for the first 12 months of each period; later days (of a 5-day week) take months
# off at 21.67 days a month, whole months only.
BE_SICK_ROWS = [
    ("sick all of 2025, since 1 Jan 2025", D(2025, 1, 1), D(2025, 12, 31), "152.00"),
    #   within its first 12 months: assimilated, 12 months -> 20 days
    ("sick since 1 July 2024, still", D(2024, 7, 1), None, "60.80"),
    #   from 1 July 2025 not assimilated: 132 weekdays / 21.67 = 6.09 months off,
    #   12 - 6.09 = 5.9 -> 5 months -> 8 days x 7.6 = 60.8
    ("sick since 1 Jan 2024, still", D(2024, 1, 1), None, "0.00"),
    #   all 261 weekdays of 2025 off: 12 - 12.04 < 1 month -> nothing
    ("maternity leave all of 2025", D(2025, 1, 1), D(2025, 12, 31), "152.00"),
]


@pytest.mark.parametrize(("example", "start", "end", "legal"), BE_SICK_ROWS)
def test_belgian_illness_is_assimilated_for_its_first_year(bv, hr, example, start, end, legal):
    someone = person(bv, (D(2024, 1, 1), None, FT, None))
    kind = "maternity" if "maternity" in example else "sickness"
    Absence.objects.create(
        tenant=bv, employee=someone, kind=kind, start_date=start, end_date=end, registered_by="t"
    )
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE)
    total = sum((h for _k, h, _t in lines(someone, leave_type(bv, "legal-holiday"))), Decimal(0))
    assert total == Decimal(legal), example


def test_a_joiners_holiday_certificate_grants_the_days_of_the_previous_employer(bv, hr):
    joiner = person(bv, (D(2026, 3, 1), None, FT, None))
    holiday = leave_type(bv, "legal-holiday")
    grant_year(hr, bv, 2026, employee_ids=[joiner.pk], today=JUNE)
    assert lines(joiner, holiday) == []
    record_certificate(hr, joiner, 2026, "12", "Previous NV")
    # 12 certificate days x 7.6 h of the current pattern = 91.2 h
    assert lines(joiner, holiday) == [("grant", Decimal("91.20"), "2026")]
    record_certificate(hr, joiner, 2026, "15", "Previous NV")  # a corrected certificate
    assert lines(joiner, holiday)[-1][:2] == ("correction", Decimal("22.80"))
    assert AuditEvent.objects.filter(action="holiday_certificate.recorded").count() == 2


@pytest.fixture
def nv(demo):
    # The Dutch defaults' extra-statutory leave: 5 days a year of a full-time week, i.e.
    # 5 x weekly hours / 5 = the weekly hours, shown in hours.
    return demo["other-nv"]


@pytest.fixture
def nv_hr(nv):
    return actor_for("hr@other-nv.test", "other-nv")


# The Netherlands 2026 (Other NV): statutory 4 x weekly hours pro rata ("2026-statutory",
# gone 1 July 2027), extra-statutory 5 days (= weekly hours) pro rata to the time employed
# ("2026-extra", gone 1 January 2032).
NL_ROWS = [
    ("full time 40 h", [(D(2026, 1, 1), None, "40", None)], "160.00", "40.00"),
    ("32 h on 4 days", [(D(2025, 1, 1), None, "32", FOUR_DAYS_32)], "128.00", "32.00"),
    ("joiner 1 April", [(D(2026, 4, 1), None, "40", None)], "120.55", "30.14"),
    #   160 x 275/365 = 120.548; 40 x 275/365 = 30.137
    ("leaver 30 September", [(D(2020, 1, 1), D(2026, 9, 30), "40", None)], "119.67", "29.92"),
    #   160 x 273/365 = 119.671; 40 x 273/365 = 29.918
    (
        "40 h, then 32 h from 1 July",
        [(D(2026, 1, 1), D(2026, 6, 30), "40", None), (D(2026, 7, 1), None, "32", None)],
        "143.87",
        "35.97",
    ),
    #   4 x (40 x 181 + 32 x 184) / 365 = 143.868; (40 x 181 + 32 x 184) / 365 = 35.967
]


@pytest.mark.parametrize(("example", "contracts", "statutory", "extra"), NL_ROWS)
def test_dutch_entitlements_in_two_tranches(nv, nv_hr, example, contracts, statutory, extra):
    someone = person(nv, *contracts)
    grant_year(nv_hr, nv, 2026, employee_ids=[someone.pk], today=JUNE)
    rows = LedgerEntry.objects.filter(employee=someone).order_by("leave_type__position")
    assert [(r.kind, r.hours, r.tranche, r.expires_on) for r in rows] == [
        ("grant", Decimal(statutory), "2026-statutory", D(2027, 7, 1)),
        ("grant", Decimal(extra), "2026-extra", D(2032, 1, 1)),
    ], example


def test_granting_twice_writes_nothing_and_a_contract_change_writes_the_difference(bv, hr):
    someone = person(bv, (D(2025, 1, 1), None, FT, None))
    assert grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE) == 2
    assert grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE) == 0
    audit = AuditEvent.objects.filter(action="balances.granted").order_by("-pk").first()
    assert audit is not None and audit.changes["lines"]["new"] == 2
    # 4/5 from 1 July: extra-legal 6/5 x (38 x 181 + 30.4 x 184) / 365 = 41.00, 4.60 less;
    # the legal holiday (earned in 2025) stays 152.
    someone.employments.update(end_date=D(2026, 6, 30))
    person_contract = someone.employments.get()
    person_contract.pk = None
    person_contract.start_date, person_contract.end_date = D(2026, 7, 1), None
    person_contract.hours_per_week, person_contract.weekly_schedule = Decimal("30.4"), FOUR_FIFTHS
    person_contract.save()
    assert grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE) == 1
    extra = lines(someone, leave_type(bv, "extra-legal"))
    assert extra == [("grant", Decimal("45.60"), "2026"), ("correction", Decimal("-4.60"), "2026")]
    assert LedgerEntry.objects.get(employee=someone, kind="correction").note == RECOMPUTED
    assert grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE) == 0


# Monthly accrual (extra-legal days set to accrue monthly): each month begun gives a twelfth
# of 45.6 h = 3.80 h.
ACCRUAL_ROWS = [
    (D(2026, 1, 20), ["3.80"]),
    (D(2026, 5, 15), ["3.80"] * 5),
    (D(2026, 12, 1), ["3.80"] * 12),
]


@pytest.mark.parametrize(("today", "expected"), ACCRUAL_ROWS)
def test_monthly_accrual_gives_the_months_begun(bv, hr, today, expected):
    extra = leave_type(bv, "extra-legal")
    extra.__class__.objects.filter(pk=extra.pk).update(accrual="monthly")
    someone = person(bv, (D(2025, 1, 1), None, FT, None))
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=today)
    assert lines(someone, extra) == [("accrual", Decimal(h), "2026") for h in expected]
    # The next month's run adds its twelfth only.
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=D(2026, 12, 31))
    assert lines(someone, extra) == [("accrual", Decimal("3.80"), "2026")] * 12


def test_only_hr_grants(bv, worker):
    with pytest.raises(PermissionDenied):
        grant_year(worker, bv, 2026)


def test_the_grant_shows_in_the_balance(bv, hr):
    someone = person(bv, (D(2025, 1, 1), None, FT, None))
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=JUNE)
    rows = {row.leave_type.code: row for row in balances_of(hr, someone, as_of=JUNE)}
    holiday = rows["legal-holiday"]
    assert holiday.balance.entitled == Decimal("152.00")
    assert holiday.shown(holiday.balance.remaining) == Decimal("20.00")  # days of 7.6 h
    assert holiday.balance.tranches[0].expires_on == D(2027, 1, 1)
