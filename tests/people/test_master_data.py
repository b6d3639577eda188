"""Departments, teams and custom fields can be renamed, changed, archived and deleted
(issue 17): each rule allows or refuses with a message that says why and changes nothing;
every change is audited and sends its domain event; only HR of the company may; an
archived value is not offered for new choices but stays on profiles and exports."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.audit.models import AuditEvent
from kluis.integrations.models import DomainEvent
from kluis.people.models import CustomFieldDefinition, Department, Employee, Employment, Team
from kluis.people.services import StillInUseError, add_employment, custom_fields, organisation
from tests.conftest import actor_for

HR = "hr@demo-bv.test"


def dept(tenant, name="Finance") -> Department:
    return Department.objects.for_tenant(tenant).get(name=name)


def people_of(department: Department) -> int:
    return Employee.objects.filter(department=department).exclude(status="left").count()


# --- services ---------------------------------------------------------------------------------


def test_a_department_with_people_is_not_deleted_and_says_how_many(demo):
    finance = dept(demo["demo-bv"])
    people = people_of(finance)
    assert people
    with pytest.raises(StillInUseError) as refused:
        organisation.delete_department(actor_for(HR), finance)
    assert str(refused.value).startswith(f"This department still has {people} people")
    assert str(refused.value).endswith("move them first.")
    assert Department.objects.filter(pk=finance.pk).exists()
    assert not AuditEvent.objects.filter(action="department.deleted").exists()


def test_a_department_only_past_contracts_name_must_be_archived_instead(demo):
    tenant = demo["demo-bv"]
    old = organisation.create_department(actor_for(HR), tenant, name="Old unit")
    Employment.objects.filter(pk=Employment.objects.for_tenant(tenant).first().pk).update(
        department=old
    )
    with pytest.raises(StillInUseError, match="1 contract, past or present, names this"):
        organisation.delete_department(actor_for(HR), old)
    organisation.archive_department(actor_for(HR), old)
    old.refresh_from_db()
    assert old.archived_at is not None
    event = AuditEvent.objects.get(action="department.archived", object_id=str(old.pk))
    assert event.changes["archived_at"]["old"] is None
    assert DomainEvent.objects.filter(name="department.archived", object_id=str(old.pk)).exists()


def test_an_unused_department_is_renamed_archived_brought_back_and_deleted(demo):
    tenant = demo["demo-bv"]
    unit = organisation.create_department(actor_for(HR), tenant, name="Lab")
    organisation.update_department(actor_for(HR), unit, {"name": "Research lab", "code": "RL"})
    organisation.archive_department(actor_for(HR), unit)
    organisation.archive_department(actor_for(HR), unit, archived=False)
    unit.refresh_from_db()
    assert (unit.name, unit.code, unit.archived_at) == ("Research lab", "RL", None)
    organisation.delete_department(actor_for(HR), unit)
    assert not Department.objects.filter(pk=unit.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_id=str(unit.pk), action__startswith="department.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "department.created",
        "department.updated",
        "department.archived",
        "department.unarchived",
        "department.deleted",
    ]


def test_an_archived_department_is_not_chosen_for_new_things_but_kept_where_held(demo):
    tenant = demo["demo-bv"]
    finance = dept(tenant)
    team = Team.objects.for_tenant(tenant).filter(department=finance).first()
    organisation.archive_department(actor_for(HR), finance)
    finance.refresh_from_db()
    with pytest.raises(ValidationError, match="is archived; choose another"):
        organisation.create_team(actor_for(HR), tenant, name="New", department=finance)
    with pytest.raises(ValidationError, match="is archived; choose another"):
        organisation.create_department(actor_for(HR), tenant, name="Sub", parent=finance)
    assert not Team.objects.filter(name="New").exists()
    # The team that already names it keeps it through a rename.
    organisation.update_team(actor_for(HR), team, {"name": "Renamed", "department": finance})
    team.refresh_from_db()
    assert team.department_id == finance.pk
    employee = Employee.objects.for_tenant(tenant).filter(department=finance).first()
    with pytest.raises(ValidationError) as refused:
        add_employment(
            actor_for(HR),
            employee,
            {"start_date": "2031-01-01", "job_title": "Analyst", "department": finance.pk},
        )
    assert refused.value.message_dict["department"] == [
        "The department Finance is archived; choose another."
    ]


def test_a_team_with_people_is_not_deleted(demo):
    team = Team.objects.for_tenant(demo["demo-bv"]).first()
    people = Employee.objects.filter(team=team).exclude(status="left").count()
    with pytest.raises(StillInUseError) as refused:
        organisation.delete_team(actor_for(HR), team)
    assert str(refused.value) == f"This team still has {people} people: move them first."
    assert Team.objects.filter(pk=team.pk).exists()


@pytest.mark.parametrize("email", ["manager@demo-bv.test", "member1@demo-bv.test"])
def test_only_hr_archives(demo, email):
    finance = dept(demo["demo-bv"])
    with pytest.raises(PermissionDenied):
        organisation.archive_department(actor_for(email), finance)
    finance.refresh_from_db()
    assert finance.archived_at is None


def test_removing_a_choice_in_use_is_refused_with_the_count(demo):
    tenant = demo["demo-bv"]
    field = custom_fields.define_custom_field(
        actor_for(HR), tenant, key="shirt", label="Shirt", field_type="choice", choices=["S", "M"]
    )
    Employee.objects.for_tenant(tenant).filter(
        pk__in=list(Employee.objects.for_tenant(tenant).values_list("pk", flat=True)[:2])
    ).update(custom_fields={"shirt": "M"})
    with pytest.raises(ValidationError) as refused:
        custom_fields.update_custom_field(actor_for(HR), field, {"choices": ["S"]})
    assert refused.value.message_dict["choices"] == [
        "M is still the value of 2 employees; give them another value first."
    ]
    field.refresh_from_db()
    assert field.choices == ["S", "M"]


# --- pages ------------------------------------------------------------------------------------


def test_hr_renames_a_department_from_its_row(demo, login):
    client = login(HR)
    finance = dept(demo["demo-bv"])
    page = client.get("/people/settings/departments/")
    assert f"/people/settings/departments/{finance.pk}/edit/" in page.content.decode()
    response = client.post(
        f"/people/settings/departments/{finance.pk}/edit/", {"name": "Finance & Control"}
    )
    assert response.status_code == 302
    finance.refresh_from_db()
    assert finance.name == "Finance & Control"
    assert AuditEvent.objects.filter(action="department.updated", object_id=str(finance.pk))


def test_a_rename_to_a_taken_name_shows_the_error_next_to_the_field(demo, login):
    finance = dept(demo["demo-bv"])
    other = Department.objects.for_tenant(demo["demo-bv"]).exclude(pk=finance.pk).first()
    response = login(HR).post(
        f"/people/settings/departments/{finance.pk}/edit/", {"name": other.name}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Another department has this name."]
    finance.refresh_from_db()
    assert finance.name == "Finance"


def test_deleting_asks_first_and_says_why_not(demo, login):
    client = login(HR)
    finance = dept(demo["demo-bv"])
    page = client.get(f"/people/settings/departments/{finance.pk}/delete/")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"This department still has {people_of(finance)} people" in text
    assert "disabled" in text
    refused = client.post(f"/people/settings/departments/{finance.pk}/delete/")
    assert refused.status_code == 409
    assert Department.objects.filter(pk=finance.pk).exists()


def test_archiving_asks_first_then_hides_the_row_unless_asked(demo, login):
    client = login(HR)
    finance = dept(demo["demo-bv"])
    confirm = client.get(f"/people/settings/departments/{finance.pk}/archive/")
    assert "contracts name it" in confirm.content.decode()
    finance.refresh_from_db()
    assert finance.archived_at is None  # a GET changes nothing
    assert client.post(f"/people/settings/departments/{finance.pk}/archive/").status_code == 302
    listing = client.get("/people/settings/departments/").content.decode()
    assert f'data-testid="department-{finance.pk}"' not in listing
    shown = client.get("/people/settings/departments/?archived=1").content.decode()
    assert f'data-testid="department-{finance.pk}"' in shown


def test_an_archived_department_is_not_offered_in_the_hire_form_but_stays_on_a_profile(demo, login):
    client = login(HR)
    finance = dept(demo["demo-bv"])
    organisation.archive_department(actor_for(HR), finance)
    hire = client.get("/people/new/")
    assert hire.status_code == 200
    queryset = hire.context["employment_form"].fields["department"].queryset
    assert finance not in queryset and queryset.exists()
    employee = Employee.objects.for_tenant(demo["demo-bv"]).filter(department=finance).first()
    profile = client.get(f"/people/{employee.pk}/")
    assert "Finance" in profile.content.decode()


def test_deleting_a_custom_field_says_how_many_values_go(demo, login):
    tenant = demo["demo-bv"]
    field = custom_fields.define_custom_field(
        actor_for(HR), tenant, key="badge", label="Badge", field_type="text"
    )
    employee = Employee.objects.for_tenant(tenant).first()
    Employee.objects.filter(pk=employee.pk).update(custom_fields={"badge": "B-1"})
    client = login(HR)
    page = client.get(f"/people/settings/custom-fields/{field.pk}/delete/")
    assert "1 employee's value of this field goes with it" in unescape(page.content.decode())
    assert client.post(f"/people/settings/custom-fields/{field.pk}/delete/").status_code == 302
    assert not CustomFieldDefinition.objects.filter(pk=field.pk).exists()


@pytest.mark.parametrize("email", ["manager@demo-bv.test", "member1@demo-bv.test"])
@pytest.mark.parametrize("action", ["edit", "archive", "delete"])
def test_managers_and_employees_get_403(demo, login, email, action):
    finance = dept(demo["demo-bv"])
    client = login(email)
    url = f"/people/settings/departments/{finance.pk}/{action}/"
    assert client.get(url).status_code == 403
    assert client.post(url, {"name": "X"}).status_code == 403
    finance.refresh_from_db()
    assert (finance.name, finance.archived_at) == ("Finance", None)


def test_another_companys_department_is_404(demo, login):
    other = Department.objects.for_tenant(demo["other-nv"]).first()
    client = login(HR)
    for action in ("edit", "archive", "delete"):
        url = f"/people/settings/departments/{other.pk}/{action}/"
        assert client.post(url, {"name": "X"}).status_code == 404
    assert Department.objects.filter(pk=other.pk, archived_at=None).exists()
