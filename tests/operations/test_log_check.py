"""The test run's log check (scripts/check-logs.py) finds a planted demo IBAN, national
number, password or API key, with its file and line, and passes clean logs."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from kluis.people.models import Employee
from kluis.people.records import sealed_value
from kluis.tenancy.models import Tenant
from tests.api_client import make_key
from tests.operations.log_check import demo_values, scan


def a_demo_employee() -> Employee:
    tenant = Tenant.objects.get(slug="other-nv")
    return next(e for e in Employee.objects.for_tenant(tenant) if e.iban_sealed)


def test_the_demo_values_are_every_iban_national_number_and_the_password(demo):
    values = demo_values()
    employee = a_demo_employee()
    assert values[sealed_value(employee, "iban")] == "an IBAN of a demo employee"
    assert values[sealed_value(employee, "national_id")] == "a national number of a demo employee"
    assert values[settings.DEMO_PASSWORD] == "the demo password"
    ibans = sum(1 for what in values.values() if what.startswith("an IBAN"))
    assert ibans >= 90


def test_planted_values_are_found_with_their_file_and_line(demo, tmp_path: Path):
    employee = a_demo_employee()
    iban, national = sealed_value(employee, "iban"), sealed_value(employee, "national_id")
    key = make_key()
    clean = tmp_path / "100.log"
    clean.write_text("2026-01-01 INFO kluis.x [abc tenant=1 actor=user:2 task=-] fine\n" * 3)
    planted = tmp_path / "200.log"
    planted.write_text(
        "a first line, clean\n"
        f'{{"message": "bank account {iban} saved"}}\n'
        f"national number={national}.\n"
        f"password: {settings.DEMO_PASSWORD}\n"
        f"Authorization: Bearer {key}\n"
        f"not a number: 1{national}9, not a key: kluis_worker\n"
    )
    hits = [str(hit) for hit in scan([clean, planted], demo_values())]
    assert hits == [
        f"{planted}:2: an IBAN of a demo employee",
        f"{planted}:3: a national number of a demo employee",
        f"{planted}:4: the demo password",
        f"{planted}:5: an API key",
    ]
    assert scan([clean], demo_values()) == []
