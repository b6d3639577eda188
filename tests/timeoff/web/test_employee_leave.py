"""One employee's leave on the web (/time-off/people/<id>/): HR sees it and corrects a
balance, records a Belgian holiday certificate and marks Dutch statutory days as not
takeable; a manager sees their team member's page read-only; anyone else, and another
company, gets 404; a manager never reads a sickness kind or reason there."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kluis.timeoff import services
from kluis.timeoff.law.ledger import nl_statutory_extended
from kluis.timeoff.models import HolidayCertificate, LeaveType, LedgerEntry, Rule
from tests.conftest import actor_for
from tests.timeoff.balance_kit import statutory_grant
from tests.timeoff.conftest import employee_of, grant

pytestmark = pytest.mark.django_db


def page(member) -> str:  # type: ignore[no-untyped-def]
    return f"/time-off/people/{member.pk}/"


def corrections(member) -> int:  # type: ignore[no-untyped-def]
    return LedgerEntry.objects.filter(employee=member, kind="correction").count()


def test_hr_corrects_a_balance_and_it_shows_line_by_line(login, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    grant(member, holiday, "76")
    client = login("hr@demo-bv.test", "demo-bv")
    shown = client.get(page(member)).content.decode()
    assert member.display_name in shown
    assert 'data-testid="correction-form"' in shown
    assert 'data-testid="certificate-form"' in shown  # Demo BV is Belgian
    assert 'data-testid="not-takeable-form"' not in shown
    lines_url = f"{page(member)}balances/{holiday.pk}/"
    assert lines_url in shown
    answer = client.post(
        f"{page(member)}correct/",
        {
            "correction-leave_type": holiday.pk,
            "correction-amount": "2",
            "correction-unit": "days",
            "correction-effective": dt.date.today().isoformat(),
            "correction-note": "Two days agreed at hiring",
            "back": lines_url,
        },
    )
    assert answer.status_code == 302 and answer["Location"] == lines_url
    line = LedgerEntry.objects.get(employee=member, kind="correction")
    assert line.hours == Decimal("15.20") and line.actor_label == "hr@demo-bv.test"
    explained = client.get(lines_url).content.decode()
    assert "Two days agreed at hiring" in explained and "hr@demo-bv.test" in explained
    assert 'data-testid="balance-total">12<' in explained  # 10 days + 2


def test_a_refused_correction_says_why_and_changes_nothing(login, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    client = login("hr@demo-bv.test", "demo-bv")
    hours_type = LeaveType.objects.filter(tenant=bv, unit="hours").exclude(rule=Rule.NONE).first()
    base = {
        "correction-leave_type": holiday.pk,
        "correction-amount": "1",
        "correction-unit": "days",
        "correction-effective": dt.date.today().isoformat(),
        "correction-note": "",
    }
    answer = client.post(f"{page(member)}correct/", base)
    assert answer.status_code == 400 and "This field is required." in answer.content.decode()
    zero = client.post(
        f"{page(member)}correct/", base | {"correction-amount": "0", "correction-note": "x"}
    )
    assert zero.status_code == 400
    assert "A correction adds or removes something." in zero.content.decode()
    if hours_type is not None:
        wrong = client.post(
            f"{page(member)}correct/",
            base | {"correction-leave_type": hours_type.pk, "correction-note": "x"},
        )
        assert "This leave type counts hours." in wrong.content.decode()
    assert corrections(member) == 0


def test_hr_records_and_replaces_a_holiday_certificate(login, bv):
    member = employee_of("member2@demo-bv.test")
    client = login("hr@demo-bv.test", "demo-bv")
    year = dt.date.today().year - 1
    for days in ("12", "9.5"):
        answer = client.post(
            f"{page(member)}certificate/",
            {
                "certificate-year": year,
                "certificate-days": days,
                "certificate-employer": "Vorige BV",
            },
        )
        assert answer.status_code == 302
    certificate = HolidayCertificate.objects.get(employee=member)
    assert certificate.days == Decimal("9.5") and certificate.year == year
    shown = client.get(page(member)).content.decode()
    assert f'data-testid="certificate-{year}"' in shown and "Vorige BV" in shown
    too_many = client.post(
        f"{page(member)}certificate/", {"certificate-year": year, "certificate-days": "30"}
    )
    assert too_many.status_code == 400
    assert HolidayCertificate.objects.get(employee=member).days == Decimal("9.5")


def test_hr_keeps_dutch_statutory_days_that_could_not_be_taken(login, demo):
    tenant = demo["other-nv"]
    member = employee_of("member1@other-nv.test")
    statutory = LeaveType.objects.get(tenant=tenant, rule=Rule.NL_STATUTORY)
    year = dt.date.today().year - 1
    statutory_grant(tenant, member, year)
    client = login("hr@other-nv.test", "other-nv")
    shown = client.get(page(member)).content.decode()
    assert 'data-testid="not-takeable-form"' in shown
    assert 'data-testid="certificate-form"' not in shown  # not Belgian
    choice = f"{statutory.pk}:{year}-statutory"
    refused = client.post(f"{page(member)}not-takeable/", {"not_takeable-tranche": choice})
    assert refused.status_code == 400 and corrections(member) == 0
    answer = client.post(
        f"{page(member)}not-takeable/",
        {"not_takeable-tranche": choice, "not_takeable-reason": "Sick all year"},
    )
    assert answer.status_code == 302
    line = LedgerEntry.objects.get(employee=member, kind="correction")
    assert line.expires_on == nl_statutory_extended(year) and "Sick all year" in line.note


def test_a_manager_reads_their_team_members_leave_and_changes_nothing(login, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    outside = employee_of("employee@demo-bv.test")  # reports to HR
    grant(member, holiday, "76")
    client = login("manager@demo-bv.test", "demo-bv")
    shown = client.get(page(member))
    assert shown.status_code == 200
    text = shown.content.decode()
    assert f'data-testid="balance-{holiday.code}"' in text
    for form in ("correction-form", "certificate-form", "not-takeable-form"):
        assert f'data-testid="{form}"' not in text
    lines = client.get(f"{page(member)}balances/{holiday.pk}/")
    assert (
        lines.status_code == 200 and 'data-testid="correction-form"' not in lines.content.decode()
    )
    assert client.get(page(outside)).status_code == 404
    assert client.get(f"{page(outside)}balances/{holiday.pk}/").status_code == 404
    body = {
        "correction-leave_type": holiday.pk,
        "correction-amount": "5",
        "correction-unit": "days",
        "correction-effective": dt.date.today().isoformat(),
        "correction-note": "More for my team",
    }
    assert client.post(f"{page(member)}correct/", body).status_code == 403
    assert client.post(f"{page(outside)}correct/", body).status_code == 404
    year = dt.date.today().year - 1
    certificate = {"certificate-year": year, "certificate-days": "5"}
    assert client.post(f"{page(member)}certificate/", certificate).status_code == 403
    assert corrections(member) == 0 and not HolidayCertificate.objects.exists()
    team = client.get("/time-off/team/").content.decode()
    assert f'href="{page(member)}"' in team


def test_a_manager_sees_absent_never_the_kind_or_reason(login, bv):
    member = employee_of("member1@demo-bv.test")
    today = dt.date.today()
    services.register_absence(
        actor_for("hr@demo-bv.test", "demo-bv"),
        member,
        {"kind": "work_accident", "start_date": today, "reason": "Broken wrist skiing"},
    )
    manager = login("manager@demo-bv.test", "demo-bv").get(page(member)).content.decode()
    assert "Absent" in manager
    assert "Work accident" not in manager and "Broken wrist" not in manager
    hr = login("hr@demo-bv.test", "demo-bv").get(page(member)).content.decode()
    assert "Work accident" in hr and "Broken wrist" not in hr  # the reason is on its own page


def test_an_employee_gets_404_for_a_colleague(login, bv, holiday):
    me = employee_of("member2@demo-bv.test")
    colleague = employee_of("member1@demo-bv.test")
    client = login("member2@demo-bv.test", "demo-bv")
    assert client.get(page(colleague)).status_code == 404
    assert client.get(f"{page(colleague)}balances/{holiday.pk}/").status_code == 404
    own = client.get(page(me))
    assert own.status_code == 200 and 'data-testid="correction-form"' not in own.content.decode()


def test_another_companys_hr_reaches_nothing(login, bv, holiday):
    member = employee_of("member1@demo-bv.test")
    client = login("hr@other-nv.test", "other-nv")
    for suffix in ("", f"balances/{holiday.pk}/"):
        assert client.get(f"{page(member)}{suffix}").status_code == 404
    for suffix in ("correct/", "certificate/", "not-takeable/"):
        answer = client.post(
            f"{page(member)}{suffix}",
            {"correction-leave_type": holiday.pk, "correction-amount": "1", "correction-note": "x"},
        )
        assert answer.status_code == 404
    assert corrections(member) == 0 and not HolidayCertificate.objects.exists()
