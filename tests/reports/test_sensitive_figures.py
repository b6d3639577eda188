"""Age, tenure, absence and leave of Rapport BV (tests/reports/conftest.py) against figures
worked out by hand, and the small-group rule: a group of fewer than 5 people is not
broken down by age or sickness.

On 31 Dec 2025, 11 people are employed: Engineering (6) Mara 45, Ann 35, Bart 24, Cleo 30,
Dirk 40, Lars 65; Sales (5) Fien 63, Gert 26, Hanne 22, Ivo 33, Jo (no birth date).

Working days of 2025 (Monday to Friday, Belgian public holidays off): March 21, April 21
(Easter Monday), January 22 ... see test_absence_whole_period_of_engineering."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kluis.people.models import Department
from kluis.reports import absence, distributions, leave
from kluis.reports.tables import SUPPRESSED
from tests.reports.conftest import actor_of
from tests.reports.test_workforce_figures import filters

pytestmark = pytest.mark.django_db


def rows_by_label(table) -> dict[str, list[object]]:
    return {row.label: row.values for group in table.groups for row in group.rows}


def test_age_bands_per_department(rapport):
    result = distributions.age(actor_of("hr@rapport.test"), filters())
    rows = rows_by_label(result.table)
    keys = [c.key for c in result.table.columns]
    assert keys == ["under_25", "25_34", "35_44", "45_54", "55_64", "65_plus", "unknown", "people"]
    assert rows["Engineering"] == [1, 1, 2, 1, 0, 1, 0, 6]
    assert rows["Sales"] == [1, 2, 0, 0, 1, 0, 1, 5]  # exactly 5: shown
    assert rows["All"] == [2, 3, 2, 1, 1, 1, 1, 11]


def test_age_is_not_broken_down_for_fewer_than_5_people(rapport):
    # On 1 June 2025 Sales has 4 people (Fien, Gert, Ivo, Kim), Engineering 7.
    hr = actor_of("hr@rapport.test")
    rows = rows_by_label(distributions.age(hr, filters(on=dt.date(2025, 6, 1))).table)
    assert rows["Sales"] == [SUPPRESSED] * 7 + [4]
    assert rows["Engineering"][-1] == 7 and SUPPRESSED not in rows["Engineering"]
    sales = Department.objects.for_actor(hr).get(name="Sales").pk
    only = distributions.age(hr, filters(on=dt.date(2025, 6, 1), department=sales))
    assert rows_by_label(only.table)["All"] == [SUPPRESSED] * 7 + [4]
    assert "Fewer than 5 people" in str(only.chart)
    assert "<rect" in str(only.chart) and "<title>" not in str(only.chart).split("</desc>")[1]


def test_tenure_bands_per_department(rapport):
    result = distributions.tenure(actor_of("hr@rapport.test"), filters())
    rows = rows_by_label(result.table)
    assert [c.key for c in result.table.columns] == [
        "under_1",
        "1_2",
        "2_5",
        "5_10",
        "10_plus",
        "people",
    ]
    # Dirk's service runs unbroken from his fixed-term contract (1 Sep 2024): 1 year.
    assert rows["Engineering"] == [2, 1, 1, 1, 1, 6]
    assert rows["Sales"] == [3, 0, 1, 1, 0, 5]
    assert rows["All"] == [5, 1, 2, 2, 1, 11]


def test_tenure_of_the_managers_team(rapport):
    rows = rows_by_label(distributions.tenure(actor_of("manager@rapport.test"), filters()).table)
    assert list(rows) == ["Engineering", "All"]
    assert rows["All"] == [2, 1, 1, 1, 1, 6]


def test_absence_rate_per_department_in_march(rapport):
    table = absence.absence(actor_of("hr@rapport.test"), filters()).table
    groups = {group.label: {row.key: row.values for row in group.rows} for group in table.groups}
    assert list(groups) == ["Engineering", "Sales", "All departments"]
    # Engineering in March: 7 people x 21 working days; Ann 5 sick days, Bart 3.
    assert groups["Engineering"]["2025-03"] == [7, 147, 8, Decimal("5.4")]
    # April: Bart's last 2 sick days; 21 working days (Easter Monday).
    assert groups["Engineering"]["2025-04"] == [7, 147, 2, Decimal("1.4")]
    # January: 5 people (Cleo and Lars not yet), 22 working days (New Year).
    assert groups["Engineering"]["2025-01"] == [5, 110, 0, Decimal("0.0")]
    # Sales has 4 people in March: Gert's 2 sick days are not shown there ...
    assert groups["Sales"]["2025-03"] == [4, 84, SUPPRESSED, SUPPRESSED]
    # ... but count in the company's figure: 11 x 21 days, 10 sick days.
    assert groups["All departments"]["2025-03"] == [11, 231, 10, Decimal("4.3")]


def test_absence_whole_period_of_engineering(rapport):
    table = absence.absence(actor_of("hr@rapport.test"), filters()).table
    engineering = table.groups[0]
    # Working days per month: 22 20 21 21 20 20 22 20 22 23 19 22; people 5 6 7 7 7 7 6 ...
    assert [row.values[1] for row in engineering.rows[:12]] == [
        110,
        120,
        147,
        147,
        140,
        140,
        132,
        120,
        132,
        138,
        114,
        132,
    ]
    # Cleo's maternity leave in May is no sick day.
    assert engineering.rows[4].values[2] == 0
    assert engineering.rows[-1].values == [7, 1572, 10, Decimal("0.6")]


def test_absence_chart_and_suppressed_department_filter(rapport):
    hr = actor_of("hr@rapport.test")
    sales = Department.objects.for_actor(hr).get(name="Sales").pk
    result = absence.absence(hr, filters(department=sales))
    march = result.table.groups[0].rows[2]
    assert march.key == "2025-03" and march.values[2:] == [SUPPRESSED, SUPPRESSED]
    # From July Sales has 5 people: shown.
    assert result.table.groups[0].rows[6].values == [5, 110, 0, Decimal("0.0")]


def test_leave_taken_against_entitlement_per_department(rapport):
    result = leave.leave(actor_of("hr@rapport.test"), filters())
    rows = rows_by_label(result.table)
    assert result.table.groups[0].label == "Legal holiday"
    # In days of 7.6 hours. Engineering: Ann 20/9 taken (10 used, 1 cancelled), Bart 20/5
    # (2 expired), Cleo 19 (18 + a correction of 1)/3, Eva 10/10.
    assert rows["Engineering"] == [
        4,
        Decimal("69.00"),
        Decimal("27.00"),
        Decimal("2.00"),
        Decimal("40.00"),
        Decimal("39.1"),
    ]
    assert rows["Sales"] == [
        1,
        Decimal("20.00"),
        Decimal("20.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("100.0"),
    ]
    assert rows["All"][:5] == [
        5,
        Decimal("89.00"),
        Decimal("47.00"),
        Decimal("2.00"),
        Decimal("40.00"),
    ]
    assert rows["All"][5] == Decimal("52.8")


def test_leave_of_the_managers_team_and_another_year(rapport):
    rows = rows_by_label(leave.leave(actor_of("manager@rapport.test"), filters()).table)
    assert list(rows) == ["Engineering", "All"]
    assert rows["All"][:3] == [4, Decimal("69.00"), Decimal("27.00")]
    earlier = rows_by_label(leave.leave(actor_of("hr@rapport.test"), filters(year=2024)).table)
    assert earlier["All"][:3] == [1, Decimal("20.00"), Decimal("0.00")]
