"""HR screens: the employee list, the profile and its tabs, hiring, editing, contracts, wages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.people import selectors, services
from kluis.people.models import (
    CustomFieldDefinition,
    Employee,
    EmployeeVersion,
    Employment,
    Wage,
    WageComponent,
)
from kluis.people.records import sealed_value
from kluis.people.services import contracts, organisation, pay
from kluis.people.views import employees as views_hr
from tests.conftest import actor_for

NATIONAL_ID = "85.07.30-033.28"
IBAN = "BE68 5390 0754 7034"
HIRE_POST = {
    "first_name": "Ilse",
    "last_name": "Wouters",
    "status": "active",
    "work_email": "ilse.wouters@demo-bv.test",
    "private_phone": "0470 12 34 56",
    "national_id": NATIONAL_ID,
    "iban": IBAN,
    "address_street": "Meir",
    "address_number": "1",
    "address_postal_code": "2000",
    "address_city": "Antwerpen",
    "address_country": "BE",
    "cf_tshirt_size": "M",
    "employment-contract_type": "permanent",
    "employment-start_date": "2026-01-05",
    "employment-job_title": "Data analyst",
    "employment-hours_per_week": "38",
    "employment-weekly_schedule": "7.6,7.6,7.6,7.6,7.6,0,0",
    "wage-amount": "4123.45",
    "wage-currency": "EUR",
    "wage-period": "month",
}


def employee(email: str) -> Employee:
    return Employee.objects.get(work_email=email)


def hire(tenant_slug: str = "demo-bv", **overrides: Any) -> Employee:
    hr = actor_for(f"hr@{tenant_slug}.test")
    data: dict[str, Any] = {
        "first_name": "Ilse",
        "last_name": "Wouters",
        "national_id": NATIONAL_ID,
        "iban": IBAN,
        "address": {
            "street": "Meir",
            "number": "1",
            "postal_code": "2000",
            "city": "Antwerpen",
            "country": "BE",
        },
        "employment": {
            "contract_type": "permanent",
            "start_date": "2025-01-06",
            "job_title": "Data analyst",
        },
        "wage": {"amount": "4123.45", "currency": "EUR", "period": "month"},
        **overrides,
    }
    return services.hire_employee(hr, hr.tenant, data)  # type: ignore[arg-type]


def url(name: str, *args: int) -> str:
    return reverse(f"people:{name}", args=args)


def listed(response: Any) -> list[Employee]:
    return list(response.context["page"].object_list)


def form_data(form: Any) -> dict[str, Any]:
    """What a browser would post back for an unchanged form."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if field.widget.input_type == "checkbox":
            if value:
                data[form.add_prefix(name)] = "on"
            continue
        data[form.add_prefix(name)] = "" if value is None else str(value)
    return data


def sensitive_viewed(target: Employee) -> int:
    return AuditEvent.objects.filter(
        action="employee.sensitive_viewed", object_id=str(target.pk)
    ).count()


# --- the list -------------------------------------------------------------------------------


def test_hr_sees_every_employee_of_the_company(demo, login):
    response = login("hr@demo-bv.test").get(url("list"), secure=True)
    assert response.status_code == 200
    assert (
        response.context["page"].paginator.count
        == Employee.objects.filter(tenant=demo["demo-bv"]).count()
    )
    assert b"Hire an employee" in response.content


def test_hr_searches_by_name_number_and_work_email(demo, login):
    client = login("hr@demo-bv.test")
    hanna = employee("hr@demo-bv.test")
    for query in ["Janssens", "hanna janssens", hanna.employee_number, "hr@demo-bv"]:
        response = client.get(url("list"), {"q": query}, secure=True)
        assert hanna in listed(response), query
    assert listed(client.get(url("list"), {"q": "nobody-by-this-name"}, secure=True)) == []


def test_hr_finds_an_employee_by_national_number_exactly(demo, login):
    ilse = hire()
    response = login("hr@demo-bv.test").get(url("list"), {"q": "85073003328"}, secure=True)
    assert listed(response) == [ilse]


def test_a_manager_cannot_search_others_by_national_number(demo, login):
    hire(
        employment={
            "contract_type": "permanent",
            "start_date": "2025-01-06",
            "job_title": "Analyst",
            "manager": employee("manager@demo-bv.test").pk,
        }
    )
    response = login("manager@demo-bv.test").get(url("list"), {"q": NATIONAL_ID}, secure=True)
    assert listed(response) == []


def test_hr_filters_by_status_department_team_contract_and_custom_fields(demo, login):
    client = login("hr@demo-bv.test")
    tenant = demo["demo-bv"]
    lotte = employee("member1@demo-bv.test")
    for params, expected in [
        ({"status": "left"}, Employee.objects.filter(tenant=tenant, status="left")),
        ({"department": lotte.department_id}, Employee.objects.filter(department=lotte.department)),
        ({"team": lotte.team_id}, Employee.objects.filter(team=lotte.team)),
        (
            {"cf_company_car": "yes"},
            Employee.objects.filter(tenant=tenant, custom_fields__company_car=True),
        ),
        (
            {"cf_tshirt_size": lotte.custom_fields["tshirt_size"]},
            Employee.objects.filter(
                tenant=tenant, custom_fields__tshirt_size=lotte.custom_fields["tshirt_size"]
            ),
        ),
    ]:
        response = client.get(url("list"), params, secure=True)
        assert {e.pk for e in listed(response)} == {e.pk for e in expected}, params
        assert listed(response), params
    no_car = listed(client.get(url("list"), {"cf_company_car": "no"}, secure=True))
    assert lotte in no_car and employee("manager@demo-bv.test") not in no_car


def test_contract_filter_uses_the_current_contract(demo, login):
    ilse = hire()
    contracts.end_employment(
        actor_for("hr@demo-bv.test"),
        ilse.employments.get(),
        timezone.localdate() - dt.timedelta(days=1),
    )
    contracts.add_employment(
        actor_for("hr@demo-bv.test"),
        ilse,
        {"contract_type": "freelance", "start_date": timezone.localdate(), "job_title": "Analyst"},
    )
    client = login("hr@demo-bv.test")
    assert ilse in listed(client.get(url("list"), {"contract_type": "freelance"}, secure=True))
    assert ilse not in listed(client.get(url("list"), {"contract_type": "permanent"}, secure=True))


def test_hr_sorts_by_each_column(demo, login):
    client = login("hr@demo-bv.test")
    names = [e.last_name for e in listed(client.get(url("list"), {"sort": "-name"}, secure=True))]
    assert names == sorted(names, reverse=True)
    numbers = [
        e.employee_number for e in listed(client.get(url("list"), {"sort": "number"}, secure=True))
    ]
    assert numbers == sorted(numbers)
    starts = [
        e.start_date for e in listed(client.get(url("list"), {"sort": "start_date"}, secure=True))
    ]
    assert starts == sorted(starts)
    for key in ["job_title", "department", "-department"]:
        assert client.get(url("list"), {"sort": key}, secure=True).status_code == 200


def test_links_keep_the_filter_and_sort(demo, login, monkeypatch):
    monkeypatch.setattr(views_hr, "PAGE_SIZE", 10)
    response = login("hr@demo-bv.test").get(
        url("list"), {"status": "active", "sort": "-name"}, secure=True
    )
    html = response.content.decode()
    assert "?status=active&amp;sort=name" in html  # the name column flips the direction
    assert "status=active&amp;sort=-name&amp;page=2" in html


def test_a_manager_lists_only_their_team_and_themselves(demo, login):
    manager = employee("manager@demo-bv.test")
    response = login("manager@demo-bv.test").get(url("list"), secure=True)
    shown = {e.pk for e in listed(response)}
    team = set(
        Employee.objects.filter(Q(manager=manager) | Q(pk=manager.pk)).values_list("pk", flat=True)
    )
    assert shown == team
    assert employee("member1@demo-bv.test").pk in shown
    assert employee("hr@demo-bv.test").pk not in shown
    assert b"Hire an employee" not in response.content


def test_an_employee_lists_only_themselves(demo, login):
    response = login("member1@demo-bv.test").get(url("list"), secure=True)
    assert listed(response) == [employee("member1@demo-bv.test")]


def test_someone_without_people_view_is_refused(demo, login):
    assert login("auditor@demo-bv.test").get(url("list"), secure=True).status_code == 403


def test_the_list_never_shows_wages_or_national_numbers(demo, login):
    ilse = hire()
    response = login("hr@demo-bv.test").get(url("list"), {"sort": "-start_date"}, secure=True)
    html = response.content.decode()
    system = Actor.system("test", demo["demo-bv"])
    assert ilse in listed(response)
    for person in listed(response):
        for secret in [sealed_value(person, "national_id"), sealed_value(person, "iban")]:
            if secret:
                assert secret not in html
        for wage in selectors.wages(system, person) or []:
            assert str(wage.amount) not in html
            assert f"{wage.amount:,.2f}" not in html
    assert "4123" not in html and NATIONAL_ID not in html


def test_the_list_takes_the_same_number_of_queries_for_10_and_60_employees(
    demo, login, django_assert_max_num_queries
):
    tenant = demo["demo-bv"]
    system = Actor.system("test", tenant)
    probe = organisation.create_department(system, tenant, name="Query probe")

    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            services.hire_employee(
                system,
                tenant,
                {
                    "first_name": f"Probe{n}",
                    "last_name": "Person",
                    "employment": {
                        "start_date": "2024-03-01",
                        "job_title": "Tester",
                        "department": probe,
                    },
                },
            )

    client = login("hr@demo-bv.test")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("list"), {"department": probe.pk}, secure=True)
        assert response.status_code == 200
        return len(captured)

    add(10, 0)
    with_10 = queries()
    add(50, 10)
    with django_assert_max_num_queries(with_10):
        response = client.get(url("list"), {"department": probe.pk}, secure=True)
    assert len(listed(response)) == 50
    assert queries() == with_10


def test_live_search_answers_with_the_results_only(demo, login):
    headers = {"HX-Request": "true", "HX-Target": "employee-results"}
    response = login("hr@demo-bv.test").get(
        url("list"), {"q": "Janssens"}, secure=True, headers=headers
    )
    html = response.content.decode()
    assert "<html" not in html and 'id="employee-results"' in html and "Janssens" in html
    assert "HX-Request" in response["Vary"]
    full = login("hr@demo-bv.test").get(url("list"), secure=True)
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


# --- the profile ----------------------------------------------------------------------------


def test_a_manager_sees_a_team_members_job_data_but_no_wages_or_identity(demo, login):
    lotte = employee("member1@demo-bv.test")
    client = login("manager@demo-bv.test")
    response = client.get(url("detail", lotte.pk), secure=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert lotte.job_title in html and lotte.work_email in html
    assert 'data-testid="tab-wages"' not in html
    for absent in [
        "National number",
        "IBAN",
        "Home address",
        'data-testid="field-address"',
        "Private e-mail",
        "reveal=1",
    ]:
        assert absent not in html, absent
    wages = client.get(url("detail", lotte.pk), {"tab": "wages"}, secure=True)
    assert 'data-testid="panel-personal"' in wages.content.decode()
    job = client.get(url("detail", lotte.pk), {"tab": "job"}, secure=True).content.decode()
    assert "Mark De Vries" in job  # who the manager is
    assert "EUR" not in job


def test_a_manager_cannot_open_someone_outside_the_team(demo, login):
    other = employee("employee@demo-bv.test")
    response = login("manager@demo-bv.test").get(url("detail", other.pk), secure=True)
    assert response.status_code == 404


def test_opening_a_profile_is_not_audited_but_revealing_is(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    response = client.get(url("detail", ilse.pk), secure=True)
    html = response.content.decode()
    assert sensitive_viewed(ilse) == 0
    assert "85073003328" not in html and "BE68539007547034" not in html
    assert "••••••" in html and "reveal=1" in html
    assert "Meir 1, 2000 Antwerpen, Belgium" in html  # the address is personal, not secret
    revealed = client.get(url("detail", ilse.pk), {"reveal": "1"}, secure=True).content.decode()
    assert "85073003328" in revealed and "BE68539007547034" in revealed
    assert sensitive_viewed(ilse) == 1
    event = AuditEvent.objects.get(action="employee.sensitive_viewed", object_id=str(ilse.pk))
    assert event.actor_label == "hr@demo-bv.test"
    assert response["Cache-Control"].count("no-store") == 1


def test_hr_sees_wages_and_components(demo, login):
    ilse = hire()
    pay.add_wage_component(
        actor_for("hr@demo-bv.test"),
        ilse,
        {"kind": "meal_vouchers", "amount": "8.00", "start_date": "2025-01-06"},
    )
    response = login("hr@demo-bv.test").get(url("detail", ilse.pk), {"tab": "wages"}, secure=True)
    html = response.content.decode()
    assert "4,123.45" in html or "4.123,45" in html or "4123.45" in html
    assert "Meal vouchers" in html and "8.00" in html
    # Reading wages is audited (by the selectors): who looked at whose salary.
    fields = [
        f
        for e in AuditEvent.objects.filter(
            action="employee.sensitive_viewed", object_id=str(ilse.pk)
        )
        for f in e.changes["fields"]
    ]
    assert sorted(fields) == ["wage_components", "wages"]


def test_an_employee_sees_their_own_wages(demo, login):
    lotte = employee("member1@demo-bv.test")
    response = login("member1@demo-bv.test").get(
        url("detail", lotte.pk), {"tab": "wages"}, secure=True
    )
    assert 'data-testid="panel-wages"' in response.content.decode()
    assert b'data-testid="set-wage"' not in response.content


def test_documents_tab_is_a_note(demo, login):
    lotte = employee("member1@demo-bv.test")
    response = login("hr@demo-bv.test").get(
        url("detail", lotte.pk), {"tab": "documents"}, secure=True
    )
    assert b"documents module" in response.content


def test_history_shows_who_changed_what(demo, login):
    ilse = hire()
    services.update_employee(
        actor_for("hr@demo-bv.test"),
        ilse,
        {"preferred_name": "Ilsje", "iban": "NL91 ABNA 0417 1643 00"},
        expected_version=ilse.version,
    )
    response = login("hr@demo-bv.test").get(url("detail", ilse.pk), {"tab": "history"}, secure=True)
    html = response.content.decode()
    assert "Version 2" in html and "hr@demo-bv.test" in html
    assert "Preferred name" in html and "Ilsje" in html
    assert "Bank account (IBAN)" in html and "changed (hidden)" in html
    # No part of the IBAN (not "0417" alone: a timestamp's microseconds may hold it).
    assert not any(part in html for part in ("NL91", "ABNA", "0417 1643", "0417164300"))
    assert "Data analyst" in html  # the first contract's job title in version 1


def test_a_manager_sees_history_without_personal_values(demo, login):
    lotte = employee("member1@demo-bv.test")
    services.update_employee(
        actor_for("hr@demo-bv.test"),
        lotte,
        {"private_email": "lotte.private@example.org", "preferred_name": "Lo"},
        expected_version=lotte.version,
    )
    html = (
        login("manager@demo-bv.test")
        .get(url("detail", lotte.pk), {"tab": "history"}, secure=True)
        .content.decode()
    )
    assert "Preferred name" in html
    assert "lotte.private@example.org" not in html and "Private e-mail" not in html


def test_as_of_shows_the_old_values(demo, login):
    ilse = hire()
    EmployeeVersion.objects.filter(employee=ilse).update(
        changed_at=timezone.now() - dt.timedelta(days=10)
    )
    services.update_employee(
        actor_for("hr@demo-bv.test"), ilse, {"last_name": "Peeters"}, expected_version=ilse.version
    )
    client = login("hr@demo-bv.test")
    day = (timezone.localdate() - dt.timedelta(days=5)).isoformat()
    old = client.get(url("detail", ilse.pk), {"tab": "history", "as_of": day}, secure=True)
    assert 'data-testid="as-of-last_name">Wouters<' in old.content.decode()
    today = timezone.localdate().isoformat()
    new = client.get(url("detail", ilse.pk), {"tab": "history", "as_of": today}, secure=True)
    assert 'data-testid="as-of-last_name">Peeters<' in new.content.decode()
    before = client.get(
        url("detail", ilse.pk), {"tab": "history", "as_of": "2000-01-01"}, secure=True
    )
    assert b"no record of this person yet" in before.content
    bad = client.get(url("detail", ilse.pk), {"tab": "history", "as_of": "yesterday"}, secure=True)
    assert b"YYYY-MM-DD" in bad.content


# --- hiring and editing ---------------------------------------------------------------------


def test_hr_hires_an_employee_through_the_form(demo, login):
    client = login("hr@demo-bv.test")
    assert client.get(url("new"), secure=True).status_code == 200
    hired_before = AuditEvent.objects.filter(action="employee.hired").count()
    check = client.post(url("new"), HIRE_POST, secure=True)  # "Check and save" first
    assert check.status_code == 200 and b'data-testid="hire-summary"' in check.content
    assert AuditEvent.objects.filter(action="employee.hired").count() == hired_before
    response = client.post(url("new"), {**HIRE_POST, "step": "save"}, secure=True)
    assert response.status_code == 302
    ilse = Employee.objects.get(tenant=demo["demo-bv"], work_email="ilse.wouters@demo-bv.test")
    assert response["Location"] == url("detail", ilse.pk)
    assert ilse.private_phone == "+32470123456" and ilse.custom_fields["tshirt_size"] == "M"
    assert sealed_value(ilse, "address")["city"] == "Antwerpen"
    assert EmployeeVersion.objects.filter(employee=ilse).count() == 1
    assert AuditEvent.objects.filter(action="employee.hired").count() == hired_before + 1
    wages = selectors.wages(Actor.system("test", demo["demo-bv"]), ilse)
    assert wages and wages[0].amount == Decimal("4123.45")
    assert ilse in listed(client.get(url("list"), {"q": "Wouters"}, secure=True))


def test_an_invalid_hire_shows_field_errors_and_writes_nothing(demo, login):
    client = login("hr@demo-bv.test")
    employees, events = Employee.objects.count(), AuditEvent.objects.count()
    response = client.post(
        url("new"),
        {
            **HIRE_POST,
            "first_name": "",
            "national_id": "12345678901",
            "private_phone": "12",
            "employment-start_date": "",
            "wage-amount": "lots",
        },
        secure=True,
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert {"first_name", "national_id", "private_phone"} <= set(form.errors)
    assert "start_date" in response.context["employment_form"].errors
    assert "amount" in response.context["wage_form"].errors
    assert b"Nothing was saved" in response.content
    assert Employee.objects.count() == employees and AuditEvent.objects.count() == events


def test_a_missing_required_custom_field_is_shown_on_that_field(demo, login):
    organisation.define_custom_field(
        actor_for("hr@demo-bv.test"),
        demo["demo-bv"],
        key="shoe_size",
        label="Shoe size",
        field_type=CustomFieldDefinition.FieldType.NUMBER,
        required=True,
    )
    response = login("hr@demo-bv.test").post(url("new"), HIRE_POST, secure=True)
    assert response.status_code == 200
    assert "cf_shoe_size" in response.context["form"].errors


def test_only_company_wide_editors_may_hire(demo, login):
    assert login("manager@demo-bv.test").get(url("new"), secure=True).status_code == 403
    assert login("member1@demo-bv.test").get(url("new"), secure=True).status_code == 403
    assert login("member1@demo-bv.test").post(url("new"), HIRE_POST, secure=True).status_code == 403


def test_hr_edits_an_employee_and_a_version_is_kept(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    form = client.get(url("edit", ilse.pk), secure=True).context["form"]
    data = form_data(form)
    assert data["national_id"] == "" and data["address_city"] == "Antwerpen"
    response = client.post(
        url("edit", ilse.pk),
        {**data, "preferred_name": "Ilsje", "work_phone": "03 231 45 67"},
        secure=True,
    )
    assert response.status_code == 302
    ilse.refresh_from_db()
    assert (ilse.preferred_name, ilse.work_phone, ilse.version) == ("Ilsje", "+3232314567", 2)
    assert sealed_value(ilse, "national_id") == "85073003328"  # an empty secret is kept
    version = EmployeeVersion.objects.filter(employee=ilse).first()
    assert version is not None and set(version.changed_fields) == {"preferred_name", "work_phone"}


def test_an_edit_can_remove_a_secret(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    data = form_data(client.get(url("edit", ilse.pk), secure=True).context["form"])
    client.post(url("edit", ilse.pk), {**data, "iban_clear": "on"}, secure=True)
    ilse.refresh_from_db()
    assert sealed_value(ilse, "iban") == "" and sealed_value(ilse, "national_id")


def test_an_edit_with_a_stale_version_is_refused_and_changes_nothing(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    data = form_data(client.get(url("edit", ilse.pk), secure=True).context["form"])
    services.update_employee(
        actor_for("owner@demo-bv.test"), ilse, {"preferred_name": "Ils"}, expected_version=1
    )
    response = client.post(url("edit", ilse.pk), {**data, "last_name": "Other"}, secure=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "changed by owner@demo-bv.test" in html and "reload" in html
    ilse.refresh_from_db()
    assert (ilse.last_name, ilse.preferred_name, ilse.version) == ("Wouters", "Ils", 2)


def test_an_invalid_edit_shows_field_errors(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    data = form_data(client.get(url("edit", ilse.pk), secure=True).context["form"])
    response = client.post(
        url("edit", ilse.pk),
        {**data, "private_phone": "12", "address_street": "", "address_city": "Gent"},
        secure=True,
    )
    errors = response.context["form"].errors
    assert "private_phone" in errors and "address_street" in errors
    ilse.refresh_from_db()
    assert ilse.version == 1


def test_an_employee_editing_themselves_sees_only_allowed_fields(demo, login):
    lotte = employee("member1@demo-bv.test")
    client = login("member1@demo-bv.test")
    form = client.get(url("edit", lotte.pk), secure=True).context["form"]
    assert "private_phone" in form.fields and "address_city" in form.fields
    for hr_only in [
        "first_name",
        "employee_number",
        "status",
        "national_id",
        "iban",
        "cf_tshirt_size",
    ]:
        assert hr_only not in form.fields, hr_only
    data = form_data(form)
    response = client.post(
        url("edit", lotte.pk), {**data, "private_phone": "0470 99 88 77"}, secure=True
    )
    assert response.status_code == 302
    lotte.refresh_from_db()
    assert lotte.private_phone == "+32470998877"


def test_a_manager_may_not_edit_a_team_member(demo, login):
    lotte = employee("member1@demo-bv.test")
    client = login("manager@demo-bv.test")
    assert client.get(url("edit", lotte.pk), secure=True).status_code == 403
    assert client.post(url("edit", lotte.pk), {"version": "1"}, secure=True).status_code == 403


# --- contracts and wages --------------------------------------------------------------------


def test_hr_adds_and_ends_a_contract(demo, login):
    ilse = hire()
    first = ilse.employments.get()
    client = login("hr@demo-bv.test")
    asked = client.post(
        url("end_employment", ilse.pk, first.pk), {"end_date": "2025-12-31"}, secure=True
    )
    assert b'data-testid="confirm-page"' in asked.content
    assert b"End the contract of Ilse Wouters?" in asked.content
    assert b"31 December 2025" in asked.content
    first.refresh_from_db()
    assert first.end_date is None  # asking changed nothing
    response = client.post(
        url("end_employment", ilse.pk, first.pk),
        {"end_date": "2025-12-31", "confirmed": "1"},
        secure=True,
    )
    assert response.status_code == 302 and response["Location"].endswith("?tab=job")
    manager = employee("manager@demo-bv.test")
    response = client.post(
        url("add_employment", ilse.pk),
        {
            "contract_type": "fixed_term",
            "start_date": "2026-01-01",
            "end_date": "2026-12-31",
            "job_title": "Senior analyst",
            "hours_per_week": "32",
            "manager": manager.pk,
            "department": manager.department_id,
        },
        secure=True,
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.end_date == dt.date(2025, 12, 31)
    job = client.get(url("detail", ilse.pk), {"tab": "job"}, secure=True).content.decode()
    assert "Senior analyst" in job and "Mark De Vries" in job and "31 December 2025" in job


def test_an_overlapping_contract_is_refused_on_the_start_date(demo, login):
    ilse = hire()
    response = login("hr@demo-bv.test").post(
        url("add_employment", ilse.pk),
        {
            "contract_type": "permanent",
            "start_date": "2025-06-01",
            "job_title": "X",
            "hours_per_week": "38",
        },
        secure=True,
    )
    assert response.status_code == 200
    assert "overlaps" in str(response.context["form"].errors["start_date"])
    assert Employment.objects.filter(employee=ilse).count() == 1


def test_hr_sets_a_wage_and_adds_a_component(demo, login):
    ilse = hire()
    client = login("hr@demo-bv.test")
    response = client.post(
        url("set_wage", ilse.pk),
        {"amount": "4400", "currency": "EUR", "period": "month", "effective_from": "2026-01-01"},
        secure=True,
    )
    assert response.status_code == 302
    response = client.post(
        url("add_wage_component", ilse.pk),
        {
            "kind": "bonus",
            "label": "Year-end",
            "amount": "1500",
            "currency": "EUR",
            "period": "year",
            "start_date": "2025-12-15",
        },
        secure=True,
    )
    assert response.status_code == 302
    assert Wage.objects.filter(employee=ilse).count() == 2
    bonus = WageComponent.objects.get(employee=ilse)
    assert not bonus.recurring and bonus.end_date == bonus.start_date
    bad = client.post(
        url("set_wage", ilse.pk),
        {"amount": "-1", "currency": "EUR", "period": "month", "effective_from": "2026-02-01"},
        secure=True,
    )
    assert "amount" in bad.context["form"].errors
    missing = client.post(
        url("set_wage", ilse.pk),
        {"amount": "1", "currency": "EUR", "period": "month", "effective_from": ""},
        secure=True,
    )
    assert "effective_from" in missing.context["form"].errors
    assert Wage.objects.filter(employee=ilse).count() == 2


def test_hr_ends_a_recurring_component_from_the_wages_tab(demo, login):
    ilse = hire()
    car = pay.add_wage_component(
        actor_for("hr@demo-bv.test"),
        ilse,
        {"kind": "car", "amount": "450.00", "start_date": "2025-01-06"},
    )
    client = login("hr@demo-bv.test")
    tab = client.get(url("detail", ilse.pk), {"tab": "wages"}, secure=True).content.decode()
    assert url("end_wage_component", ilse.pk, car.pk) in tab
    page = client.get(url("end_wage_component", ilse.pk, car.pk), secure=True)
    assert page.status_code == 200 and "end_date" in page.context["form"].fields
    early = client.post(
        url("end_wage_component", ilse.pk, car.pk), {"end_date": "2024-12-31"}, secure=True
    )
    assert "end_date" in early.context["form"].errors
    asked = client.post(
        url("end_wage_component", ilse.pk, car.pk), {"end_date": "2025-06-30"}, secure=True
    )
    assert b'data-testid="confirm-page"' in asked.content
    response = client.post(
        url("end_wage_component", ilse.pk, car.pk),
        {"end_date": "2025-06-30", "confirmed": "1"},
        secure=True,
    )
    assert response.status_code == 302
    car.refresh_from_db()
    assert car.end_date == dt.date(2025, 6, 30)
    assert AuditEvent.objects.filter(action="wage_component.ended", object_id=str(car.pk)).exists()
    # Its end has passed: history, no longer offered, and refused when asked anyway.
    tab = client.get(url("detail", ilse.pk), {"tab": "wages"}, secure=True).content.decode()
    assert url("end_wage_component", ilse.pk, car.pk) not in tab
    again = client.post(
        url("end_wage_component", ilse.pk, car.pk),
        {"end_date": "2025-09-30", "confirmed": "1"},
        secure=True,
    )
    assert "part of the pay history" in again.content.decode()
    car.refresh_from_db()
    assert car.end_date == dt.date(2025, 6, 30)


def test_a_manager_may_not_change_contracts_or_wages_of_the_team(demo, login):
    lotte = employee("member1@demo-bv.test")
    contract = lotte.employments.first()
    component = pay.add_wage_component(
        actor_for("hr@demo-bv.test"),
        lotte,
        {"kind": "car", "amount": "450.00", "start_date": "2025-01-06"},
    )
    client = login("manager@demo-bv.test")
    for path in [
        url("add_employment", lotte.pk),
        url("end_employment", lotte.pk, contract.pk),
        url("set_wage", lotte.pk),
        url("add_wage_component", lotte.pk),
        url("end_wage_component", lotte.pk, component.pk),
    ]:
        assert client.get(path, secure=True).status_code == 403, path
        assert client.post(path, {}, secure=True).status_code == 403, path


# --- isolation ------------------------------------------------------------------------------


@pytest.mark.parametrize("email", ["owner@other-nv.test", "hr@other-nv.test"])
def test_another_companys_employees_are_404_on_every_hr_url(demo, login, email):
    lotte = employee("member1@demo-bv.test")
    contract = lotte.employments.first()
    component = pay.add_wage_component(
        actor_for("hr@demo-bv.test"),
        lotte,
        {"kind": "car", "amount": "450.00", "start_date": "2025-01-06"},
    )
    client = login(email)
    before = (
        Employee.objects.count(),
        Employment.objects.count(),
        Wage.objects.count(),
        AuditEvent.objects.count(),
        EmployeeVersion.objects.count(),
    )
    paths = [
        url("detail", lotte.pk),
        url("detail", lotte.pk) + "?tab=wages&reveal=1",
        url("edit", lotte.pk),
        url("add_employment", lotte.pk),
        url("end_employment", lotte.pk, contract.pk),
        url("set_wage", lotte.pk),
        url("add_wage_component", lotte.pk),
        url("detail", 987654321),
    ]
    paths.append(url("end_wage_component", lotte.pk, component.pk))
    own = Employee.objects.get(work_email=email)
    paths.append(url("end_employment", own.pk, contract.pk))  # their employee, our contract
    paths.append(url("end_wage_component", own.pk, component.pk))  # and our component
    for path in paths:
        assert client.get(path, secure=True).status_code == 404, path
        post = client.post(
            path,
            {
                "version": "1",
                "first_name": "X",
                "end_date": "2026-01-01",
                "amount": "1",
                "start_date": "2026-01-01",
                "job_title": "X",
                "effective_from": "2026-01-01",
            },
            secure=True,
        )
        assert post.status_code == 404, path
    after = (
        Employee.objects.count(),
        Employment.objects.count(),
        Wage.objects.count(),
        AuditEvent.objects.count(),
        EmployeeVersion.objects.count(),
    )
    assert after == before
    assert lotte not in listed(client.get(url("list"), {"q": lotte.last_name}, secure=True))
