"""Headcount, turnover and contract ends of Rapport BV (tests/reports/conftest.py), against
figures worked out by hand, for HR (the whole company) and the manager (Mara: herself and
the six people she manages, Eva included after she left).

Headcount at the 2025 month ends: 8 people at the end of 2024 (Mara, Ann, Bart, Dirk, Eva,
Fien, Gert, Kim); Ivo joins 1 Jan, Cleo 1 Feb, Lars 1 Mar; Eva's last day is 30 Jun, Jo
starts 1 Jul; Dirk's fixed-term contract ends 31 Aug and a permanent one starts 1 Sep (no
leaver, no hire); Hanne starts 1 Oct; Kim's last day is 30 Nov."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from kluis.reports import workforce
from kluis.reports.filters import Filters
from kluis.reports.tables import Table
from tests.reports.conftest import actor_of

pytestmark = pytest.mark.django_db

D = dt.date


def filters(**changes: object) -> Filters:
    base = {
        "last_month": D(2025, 12, 1),
        "months": 12,
        "department": None,
        "on": D(2025, 12, 31),
        "horizon": 12,
        "year": 2025,
        "leave_type": None,
    }
    base.update(changes)
    return Filters(**base)  # type: ignore[arg-type]


def column(table: Table, key: str) -> list[object]:
    index = [c.key for c in table.columns].index(key)
    return [row.values[index] for group in table.groups for row in group.rows]


def test_headcount_at_each_month_end_for_hr(rapport):
    result = workforce.headcount(actor_of("hr@rapport.test"), filters())
    assert column(result.table, "headcount") == [9, 10, 11, 11, 11, 11, 11, 11, 11, 12, 12, 11]
    keys = [row.key for row in result.table.groups[0].rows]
    assert keys[0] == "2025-01-31" and keys[-1] == "2025-12-31"


def test_headcount_of_one_department(rapport):
    hr = actor_of("hr@rapport.test")
    sales = hr_department(hr, "Sales")
    result = workforce.headcount(hr, filters(department=sales))
    # Fien, Gert, Kim; + Ivo (Jan); + Jo (Jul); + Hanne (Oct); - Kim (after 30 Nov)
    assert column(result.table, "headcount") == [4, 4, 4, 4, 4, 4, 5, 5, 5, 6, 6, 5]


def test_the_manager_counts_only_herself_and_her_reports(rapport):
    result = workforce.headcount(actor_of("manager@rapport.test"), filters())
    assert column(result.table, "headcount") == [5, 6, 7, 7, 7, 7, 6, 6, 6, 6, 6, 6]


def test_hires_leavers_and_turnover_per_month(rapport):
    result = workforce.turnover(actor_of("hr@rapport.test"), filters())
    table = result.table
    assert column(table, "hires") == [1, 1, 1, 0, 0, 0, 1, 0, 0, 1, 0, 0, 5]
    assert column(table, "leavers") == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 2]
    averages = ["8.5", "9.5", "10.5", "11.0", "11.0", "11.0", "11.0", "11.0", "11.0", "11.5"]
    averages += ["12.0", "11.5", "10.8"]  # the last: the mean of the months (129.5 / 12)
    assert column(table, "average_headcount") == [Decimal(a) for a in averages]
    rates = column(table, "turnover_pct")
    assert rates[5] == Decimal("9.1")  # June: 1 / 11
    assert rates[10] == Decimal("8.3")  # November: 1 / 12
    assert rates[0] == Decimal("0.0")
    assert rates[-1] == Decimal("18.5")  # 2 / 10.79 over the year
    assert any("average headcount" in note for note in result.notes)


def test_turnover_for_the_manager(rapport):
    table = workforce.turnover(actor_of("manager@rapport.test"), filters()).table
    assert column(table, "hires") == [0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    assert column(table, "leavers") == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]


def test_contract_ends_ahead_by_type(rapport):
    hr = actor_of("hr@rapport.test")
    table = workforce.contract_ends(hr, filters()).table
    rows = {row.key: row.values for row in table.groups[0].rows}
    keys = [c.key for c in table.columns]
    assert list(rows)[:12] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert rows["2026-03"][keys.index("fixed_term")] == 1  # Ivo
    assert rows["2026-05"][keys.index("interim")] == 1  # Lars
    assert rows["2026-08"][keys.index("student")] == 1  # Jo
    assert rows["total"] == [0, 1, 1, 1, 0, 3]  # permanent, fixed, student, interim, freelance
    within = {
        horizon: workforce.contract_ends(hr, filters(horizon=horizon)).table.groups[0].rows[-1]
        for horizon in (3, 6)
    }
    assert within[3].values[-1] == 1 and within[6].values[-1] == 2


def test_contract_ends_for_the_manager(rapport):
    table = workforce.contract_ends(actor_of("manager@rapport.test"), filters()).table
    assert table.groups[0].rows[-1].values == [0, 0, 0, 1, 0, 1]  # Lars only


def hr_department(actor, name: str) -> int:
    from kluis.people.models import Department

    return Department.objects.for_actor(actor).get(name=name).pk
