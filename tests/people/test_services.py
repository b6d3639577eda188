"""The HR file's services: hiring, changing, versions, concurrency, field permissions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from kluis.audit.models import AuditEvent
from kluis.audit.services import verify_tenant
from kluis.people import selectors, services
from kluis.people.models import Employee, EmployeeVersion, Employment, Wage
from kluis.people.services import contracts
from tests.conftest import actor_for


def employee(email: str) -> Employee:
    return Employee.objects.get(work_email=email)


HIRE = {
    "first_name": "Ilse",
    "last_name": "Wouters",
    "work_email": "ilse.wouters@demo-bv.test",
    "private_phone": "0470 12 34 56",
    "national_id": "85.07.30-033.28",
    "iban": "BE68 5390 0754 7034",
    "address": {
        "street": "Meir",
        "number": "1",
        "postal_code": "2000",
        "city": "Antwerpen",
        "country": "BE",
    },
    "employment": {
        "contract_type": "permanent",
        "start_date": "2026-01-05",
        "job_title": "Data analyst",
        "hours_per_week": "38",
    },
    "wage": {"amount": "4100.00", "currency": "EUR", "period": "month"},
}


def hire(**overrides):  # type: ignore[no-untyped-def]
    hr = actor_for("hr@demo-bv.test")
    return services.hire_employee(hr, hr.tenant, {**HIRE, **overrides})


def test_hr_hires_an_employee_with_contract_wage_version_and_audit(demo):
    before = AuditEvent.objects.filter(action="employee.hired").count()
    new = hire()
    assert new.employee_number
    assert new.private_phone == "+32470123456"
    assert new.job_title == "Data analyst"
    assert Employment.objects.filter(employee=new).count() == 1
    assert Wage.objects.filter(employee=new).count() == 1
    assert EmployeeVersion.objects.filter(employee=new).count() == 1
    assert AuditEvent.objects.filter(action="employee.hired").count() == before + 1
    assert verify_tenant(demo["demo-bv"]).ok


def test_invalid_values_are_refused_field_by_field_and_nothing_is_written(demo):
    count = Employee.objects.count()
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        hire(national_id="12345678901", iban="BE00 0000", private_phone="12", first_name="")
    fields = error.value.message_dict
    assert {"national_id", "iban", "private_phone", "first_name"} <= set(fields)
    assert Employee.objects.count() == count
    assert AuditEvent.objects.count() == events


def test_sensitive_fields_are_not_stored_in_plaintext(demo):
    new = hire()
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_employee WHERE id = %s", [new.pk])
        row = " ".join(str(c) for c in cursor.fetchone())
        cursor.execute("SELECT * FROM people_wage WHERE employee_id = %s", [new.pk])
        wage_row = " ".join(str(c) for c in cursor.fetchone())
        cursor.execute("SELECT * FROM people_employeeversion WHERE employee_id = %s", [new.pk])
        version_row = " ".join(str(c) for c in cursor.fetchone())
        cursor.execute(
            "SELECT changes FROM audit_auditevent"
            " WHERE object_id = %s AND action = 'employee.hired'",
            [str(new.pk)],
        )
        audit_row = str(cursor.fetchone())
    for plaintext in ["85073003328", "BE68539007547034", "Meir", "Antwerpen"]:
        assert plaintext not in row
        assert plaintext not in version_row
        assert plaintext not in audit_row
    assert "4100" not in wage_row


def test_national_number_is_found_through_the_blind_index(demo):
    new = hire()
    hr = actor_for("hr@demo-bv.test")
    assert selectors.find_by_national_id(hr, "85073003328") == new
    other_hr = actor_for("hr@other-nv.test")
    assert selectors.find_by_national_id(other_hr, "85073003328") is None


def test_second_save_with_a_stale_version_is_refused_with_who_and_when(demo):
    new = hire()
    hr = actor_for("hr@demo-bv.test")
    owner = actor_for("owner@demo-bv.test")
    services.update_employee(owner, new, {"preferred_name": "Ils"}, expected_version=1)
    with pytest.raises(services.StaleVersionError) as error:
        services.update_employee(hr, new, {"last_name": "Peeters"}, expected_version=1)
    assert "owner@demo-bv.test" in str(error.value)
    assert Employee.objects.get(pk=new.pk).last_name == "Wouters"


def test_every_change_keeps_a_version_with_who_changed_what(demo):
    new = hire()
    hr = actor_for("hr@demo-bv.test")
    services.update_employee(
        hr, new, {"last_name": "Wouters-Peeters", "iban": "NL91ABNA0417164300"}, expected_version=1
    )
    latest = EmployeeVersion.objects.filter(employee=new).order_by("-pk").first()
    assert latest.changed_fields == ["iban", "last_name"]
    assert latest.actor_label == "hr@demo-bv.test"
    assert latest.old_values == {"last_name": "Wouters"}
    assert "NL91ABNA0417164300" not in str(latest.snapshot)
    event = AuditEvent.objects.filter(action="employee.updated", object_id=str(new.pk)).first()
    assert event.changes["iban"] == {"old": "••••••", "new": "••••••"}
    assert event.changes["last_name"] == {"old": "Wouters", "new": "Wouters-Peeters"}


def test_as_of_shows_the_record_as_it_was(demo):
    new = hire()
    hr = actor_for("hr@demo-bv.test")
    first_version = EmployeeVersion.objects.get(employee=new)
    services.update_employee(hr, new, {"last_name": "Janssens"}, expected_version=1)
    then = selectors.as_of(hr, new, first_version.changed_at)
    assert then["last_name"] == "Wouters"
    assert then["iban"] == "BE68539007547034"
    now = selectors.as_of(hr, new, dt.datetime.now(dt.UTC))
    assert now["last_name"] == "Janssens"


def test_manager_sees_team_job_data_but_never_wages_or_national_number(demo):
    manager = actor_for("manager@demo-bv.test")
    member = employee("member1@demo-bv.test")
    fields = selectors.visible_fields(manager, member)
    assert "job_title" in fields and "work_email" in fields
    assert "national_id" not in fields and "iban" not in fields and "address" not in fields
    assert selectors.wages(manager, member) is None
    outsider = employee("employee@demo-bv.test")
    with pytest.raises(Exception):  # noqa: B017 (Http404)
        selectors.employee_for(manager, outsider.pk)


def test_viewing_a_salary_is_audited_with_who_looked_at_whose(demo):
    hr = actor_for("hr@demo-bv.test")
    member = employee("member1@demo-bv.test")
    rows = selectors.wages(hr, member)
    assert rows and isinstance(rows[0].amount, Decimal)
    event = AuditEvent.objects.filter(action="employee.sensitive_viewed").first()
    assert event.actor_label == "hr@demo-bv.test"
    assert event.object_id == str(member.pk)
    assert event.changes == {"fields": ["wages"]}


def test_employee_edits_own_address_but_not_job_or_identity(demo):
    me = actor_for("member1@demo-bv.test")
    record_ = employee("member1@demo-bv.test")
    updated = services.update_employee(
        me,
        record_,
        {
            "address": {
                "street": "Kerkstraat",
                "number": "5",
                "postal_code": "9000",
                "city": "Gent",
                "country": "BE",
            }
        },
        expected_version=record_.version,
    )
    assert selectors.profile(me, updated)["address"]["city"] == "Gent"
    with pytest.raises(ValidationError):
        services.update_employee(
            me, updated, {"job_title": "CEO"}, expected_version=updated.version
        )
    with pytest.raises(ValidationError):
        services.update_employee(
            me, updated, {"national_id": "85073003328"}, expected_version=updated.version
        )


def test_bank_account_change_by_the_employee_needs_reauthentication(demo):
    me = actor_for("member1@demo-bv.test")
    record_ = employee("member1@demo-bv.test")
    with pytest.raises(PermissionDenied):
        services.update_employee(
            me, record_, {"iban": "BE68539007547034"}, expected_version=record_.version
        )
    me.reauthenticated = True  # type: ignore[attr-defined]
    services.update_employee(
        me, record_, {"iban": "BE68539007547034"}, expected_version=record_.version
    )


def test_employee_cannot_edit_a_colleague(demo):
    me = actor_for("member1@demo-bv.test")
    colleague = employee("member2@demo-bv.test")
    with pytest.raises(PermissionDenied):
        services.update_employee(
            me, colleague, {"preferred_name": "X"}, expected_version=colleague.version
        )


def test_contracts_may_not_overlap_and_history_answers_who_was_the_manager(demo):
    hr = actor_for("hr@demo-bv.test")
    new = hire()
    with pytest.raises(ValidationError):
        contracts.add_employment(
            hr, new, {"contract_type": "permanent", "start_date": "2026-03-01", "job_title": "Lead"}
        )
    first = Employment.objects.get(employee=new)
    contracts.end_employment(hr, first, "2026-02-28")
    boss = employee("manager@demo-bv.test")
    contracts.add_employment(
        hr,
        new,
        {
            "contract_type": "permanent",
            "start_date": "2026-03-01",
            "job_title": "Lead analyst",
            "manager": boss.pk,
        },
    )
    on_first_march = contracts.current_employment(new, dt.date(2026, 3, 1))
    assert on_first_march.manager == boss
    assert contracts.current_employment(new, dt.date(2026, 2, 1)).manager is None


def test_hr_of_one_company_cannot_touch_another(demo):
    other_hr = actor_for("hr@other-nv.test")
    target = employee("member1@demo-bv.test")
    with pytest.raises(PermissionDenied):
        services.update_employee(
            other_hr, target, {"last_name": "X"}, expected_version=target.version
        )
    with pytest.raises(PermissionDenied):
        services.hire_employee(other_hr, demo["demo-bv"], HIRE)


def test_custom_fields_are_validated_against_their_definition(demo):
    with pytest.raises(ValidationError) as error:
        hire(custom_fields={"tshirt_size": "XXXL", "nope": "1"})
    assert {"custom_fields.tshirt_size", "custom_fields.nope"} <= set(error.value.message_dict)
    new = hire(custom_fields={"tshirt_size": "L", "company_car": "yes"})
    assert new.custom_fields == {"tshirt_size": "L", "company_car": True}


def test_change_feed_masks_sensitive_values_unless_permitted(demo):
    hr = actor_for("hr@demo-bv.test")
    new = hire()
    since = dt.datetime.now(dt.UTC)
    services.update_employee(
        hr, new, {"last_name": "Feed", "iban": "NL91ABNA0417164300"}, expected_version=1
    )
    feed = selectors.changes_since(hr, since)
    by_field = {row["field"]: row for row in feed}
    assert by_field["last_name"]["old"] == "Wouters" and by_field["last_name"]["new"] == "Feed"
    assert by_field["iban"]["new"] == "••••••"
    manager = actor_for("manager@demo-bv.test")
    assert all(row["employee"] != new.pk for row in selectors.changes_since(manager, since))
