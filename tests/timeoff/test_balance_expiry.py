"""Corrections, oldest-first use of tranches, expiry notices and expiries (with and without
a notice in time), capped carry-over and Dutch statutory leave that could not be taken."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kluis.audit.models import AuditEvent
from kluis.company.models import Notice
from kluis.company.notices import send_notices
from kluis.integrations.models import DomainEvent
from kluis.timeoff import services
from kluis.timeoff.models import ExpiryNotice, LeaveType, LedgerEntry
from kluis.timeoff.selectors import balances_of, ledger_lines
from kluis.timeoff.services.balances import correct_balance, mark_not_takeable
from kluis.timeoff.services.entitlements import grant_year
from kluis.timeoff.services.expiry import apply_expiries, send_expiry_notices
from tests.conftest import actor_for
from tests.timeoff.balance_kit import D, leave_type, lines, person, total
from tests.timeoff.conftest import employee_of


@pytest.fixture
def nv(demo):
    # Extra-statutory leave as the Dutch defaults have it: 5 days, 40 h a year full time.
    return demo["other-nv"]


@pytest.fixture
def nv_hr(nv):
    return actor_for("hr@other-nv.test", "other-nv")


def use(employee, leave, hours: str, on: dt.date) -> LedgerEntry:
    return LedgerEntry.objects.create(
        tenant_id=employee.tenant_id,
        employee=employee,
        leave_type=leave,
        kind="use",
        hours=-Decimal(hours),
        effective=on,
        year=on.year,
        actor_label="test",
    )


def test_a_correction_is_a_line_of_its_own_audited_and_announced(bv, hr):
    someone = employee_of("member1@demo-bv.test")
    holiday = leave_type(bv, "legal-holiday")
    before = total(someone, holiday)
    today = timezone.localdate()
    entry = correct_balance(hr, someone, holiday, {"days": "-1.5", "note": "Overpaid in 2025"})
    # 1.5 of member1's 7.6-hour days
    assert (entry.kind, entry.hours, entry.effective) == ("correction", Decimal("-11.40"), today)
    assert total(someone, holiday) == before - Decimal("11.40")
    row = next(r for r in balances_of(hr, someone) if r.leave_type == holiday)
    assert row.balance.remaining == before - Decimal("11.40")
    assert ledger_lines(hr, someone, holiday)[-1][0] == entry
    audit = AuditEvent.objects.get(action="balance.corrected")
    assert audit.changes["note"]["new"] == "Overpaid in 2025"
    event = DomainEvent.objects.get(name="balance.corrected")
    assert event.payload["employee"] == someone.pk
    assert event.payload["leave_type"] == holiday.pk


def test_a_correction_needs_a_reason_hr_and_an_open_month(bv, hr, worker):
    someone = employee_of("member1@demo-bv.test")
    holiday = leave_type(bv, "legal-holiday")
    with pytest.raises(ValidationError) as refused:
        correct_balance(hr, someone, holiday, {"hours": "4"})
    assert "note" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        correct_balance(worker, someone, holiday, {"hours": "4", "note": "mine"})
    month = timezone.localdate().replace(day=1)
    services.lock_month(hr, bv, {"month": month.strftime("%Y-%m"), "reason": "Payroll"})
    with pytest.raises(services.LockedMonthError):
        correct_balance(hr, someone, holiday, {"hours": "4", "note": "late"})
    assert not LedgerEntry.objects.filter(employee=someone, kind="correction").exists()


def test_dutch_tranches_are_used_soonest_expiry_first(nv, nv_hr):
    someone = person(nv, (D(2025, 1, 1), None, "40", None))
    statutory, extra = leave_type(nv, "statutory"), leave_type(nv, "extra-statutory")
    grant_year(nv_hr, nv, 2025, employee_ids=[someone.pk], today=D(2025, 12, 31))
    grant_year(nv_hr, nv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    use(someone, statutory, "170", D(2026, 2, 2))
    (row,) = [
        r for r in balances_of(nv_hr, someone, as_of=D(2026, 3, 1)) if r.leave_type == statutory
    ]
    left = {t.key: t.remaining for t in row.balance.tranches}
    # | tranche          | credited | used | left | gone on    |
    # | 2025-statutory   | 160      | 160  | 0    | 2026-07-01 |
    # | 2026-statutory   | 160      | 10   | 150  | 2027-07-01 |
    assert left == {"2025-statutory": Decimal("0.00"), "2026-statutory": Decimal("150.00")}
    assert total(someone, extra) == Decimal("80.00")  # 2025-extra and 2026-extra, untouched


def _run_notices(tenant, today):
    notices = Notice.objects.filter(topic="timeoff.expiry")
    before = set(notices.values_list("pk", flat=True))
    sent = send_expiry_notices(today, tenant=tenant)
    new = [pk for pk in notices.values_list("pk", flat=True) if pk not in before]
    send_notices.call(new)  # what the worker does once the change commits
    return sent


def test_the_notice_is_recorded_and_emailed_once_and_then_the_hours_expire(nv, nv_hr, mailoutbox):
    someone = employee_of("member1@other-nv.test")
    statutory = leave_type(nv, "statutory")
    LedgerEntry.objects.filter(employee=someone).delete()
    LedgerEntry.objects.create(
        tenant=nv,
        employee=someone,
        leave_type=statutory,
        kind="grant",
        hours=Decimal(160),
        effective=D(2026, 1, 1),
        year=2026,
        tranche="2026-statutory",
        expires_on=D(2027, 7, 1),
        actor_label="test",
    )
    use(someone, statutory, "100", D(2026, 8, 3))
    # 90 days' warning (the default): nothing on 1 April 2027, the notice on 2 April.
    assert _run_notices(nv, D(2027, 4, 1)) == 0
    assert _run_notices(nv, D(2027, 4, 2)) == 1
    notice = ExpiryNotice.objects.get(employee=someone)
    assert (notice.tranche, notice.hours, notice.expires_on) == (
        "2026-statutory",
        Decimal("60.00"),
        D(2027, 7, 1),
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == [someone.membership.user.email]
    assert "60.00 hours of your Statutory leave expire on" in mailoutbox[0].body
    assert _run_notices(nv, D(2027, 4, 3)) == 0  # once per tranche
    assert len(mailoutbox) == 1
    ExpiryNotice.objects.filter(pk=notice.pk).update(
        sent_at=timezone.make_aware(dt.datetime(2027, 4, 2, 9))
    )
    assert apply_expiries(D(2027, 6, 30), tenant=nv) == 0
    assert apply_expiries(D(2027, 7, 1), tenant=nv) == 1
    assert lines(someone, statutory)[-1] == ("expiry", Decimal("-60.00"), "2026-statutory")
    assert apply_expiries(D(2027, 7, 2), tenant=nv) == 0
    assert AuditEvent.objects.filter(action="balances.expired", tenant=nv).count() == 1


def test_no_expiry_without_a_notice_in_time_the_hours_are_kept_and_hr_is_told(nv, nv_hr):
    someone = person(nv, (D(2025, 1, 1), None, "40", None))
    statutory = leave_type(nv, "statutory")
    grant_year(nv_hr, nv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    # No notice at all, then one only 10 days before: neither lets the hours expire.
    assert apply_expiries(D(2027, 7, 1), tenant=nv) == 0
    told = Notice.objects.filter(topic="timeoff.expiry_kept", tenant=nv)
    assert told.count() >= 1 and "2026-statutory" in told.first().body
    ExpiryNotice.objects.create(
        tenant=nv,
        employee=someone,
        leave_type=statutory,
        tranche="2026-statutory",
        expires_on=D(2027, 7, 1),
        hours=Decimal(160),
        sent_at=timezone.make_aware(dt.datetime(2027, 6, 21, 9)),
    )
    assert apply_expiries(D(2027, 7, 2), tenant=nv) == 0
    assert total(someone, statutory) == Decimal("160.00")


def test_statutory_leave_that_could_not_be_taken_keeps_five_years(nv, nv_hr):
    someone = person(nv, (D(2025, 1, 1), None, "40", None))
    statutory = leave_type(nv, "statutory")
    grant_year(nv_hr, nv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    entry = mark_not_takeable(nv_hr, someone, statutory, "2026-statutory", "Ill all year")
    assert (entry.hours, entry.tranche, entry.expires_on) == (
        Decimal("0.00"),
        "2026-statutory",
        D(2032, 1, 1),
    )
    (row,) = [
        r for r in balances_of(nv_hr, someone, as_of=D(2028, 1, 1)) if r.leave_type == statutory
    ]
    assert row.balance.tranches[0].expires_on == D(2032, 1, 1)
    assert apply_expiries(D(2027, 7, 1), tenant=nv) == 0  # nothing is due any more
    with pytest.raises(ValidationError):
        mark_not_takeable(nv_hr, someone, leave_type(nv, "extra-statutory"), "2026-extra", "x")
    assert AuditEvent.objects.filter(action="balance.extended").count() == 1


def test_a_notice_counts_for_the_date_it_announced_not_for_an_extended_one(nv, nv_hr):
    someone = person(nv, (D(2025, 1, 1), None, "40", None))
    statutory = leave_type(nv, "statutory")
    grant_year(nv_hr, nv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    mine = ExpiryNotice.objects.filter(employee=someone, leave_type=statutory)
    send_expiry_notices(D(2027, 4, 2), tenant=nv)
    assert mine.get().expires_on == D(2027, 7, 1)
    mark_not_takeable(nv_hr, someone, statutory, "2026-statutory", "Ill all year")
    # The notice of 1 July 2027 does not let the hours go on 1 January 2032.
    apply_expiries(D(2032, 1, 1), tenant=nv)
    assert total(someone, statutory) == Decimal("160.00")
    # Told again for the new date (the same notice, updated), they then go.
    send_expiry_notices(D(2031, 10, 3), tenant=nv)
    assert (mine.count(), mine.get().expires_on) == (1, D(2032, 1, 1))
    apply_expiries(D(2032, 1, 2), tenant=nv)
    assert lines(someone, statutory)[-1] == ("expiry", Decimal("-160.00"), "2026-statutory")


def test_belgian_carry_over_above_the_cap_lapses_on_1_january_after_notice(bv, hr):
    extra = leave_type(bv, "extra-legal")
    # At most 2 days carry over, and they keep until 1 April.
    LeaveType.objects.filter(pk=extra.pk).update(carry_over_limit=2, expires_after_months=3)
    someone = person(bv, (D(2025, 1, 1), None, "38", None))
    grant_year(hr, bv, 2026, employee_ids=[someone.pk], today=D(2026, 1, 1))
    # 45.6 h granted, nothing taken; 2 days of 7.6 h = 15.2 h carry, 30.4 h lapse.
    mine = ExpiryNotice.objects.filter(employee=someone, leave_type=extra)
    send_expiry_notices(D(2026, 10, 2), tenant=bv)
    assert not mine.exists()  # more than 90 days ahead
    send_expiry_notices(D(2026, 10, 3), tenant=bv)
    assert mine.count() == 1
    mine.update(sent_at=timezone.make_aware(dt.datetime(2026, 10, 3, 9)))
    notice = mine.get()
    assert (notice.tranche, notice.hours) == ("2026:carry", Decimal("30.40"))
    apply_expiries(D(2027, 1, 1), tenant=bv)
    assert lines(someone, extra)[1:] == [
        ("correction", Decimal("0.00"), "2026"),
        ("expiry", Decimal("-30.40"), "2026"),
    ]
    apply_expiries(D(2027, 1, 2), tenant=bv)
    assert len(lines(someone, extra)) == 3
    assert total(someone, extra) == Decimal("15.20")
