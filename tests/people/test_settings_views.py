"""The People settings pages: self-service fields, custom fields, teams and departments."""

from __future__ import annotations

import pytest

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent
from kluis.people import services
from kluis.people.models import CustomFieldDefinition, Department, PeopleSettings, Team
from kluis.people.services import organisation

PAGES = [
    "/people/settings/",
    "/people/settings/custom-fields/",
    "/people/settings/teams/",
    "/people/settings/departments/",
]


@pytest.mark.parametrize("path", PAGES)
def test_hr_opens_every_settings_page(demo, login, path):
    assert login("hr@demo-bv.test").get(path).status_code == 200


@pytest.mark.parametrize("email", ["member1@demo-bv.test", "manager@demo-bv.test"])
@pytest.mark.parametrize("path", PAGES)
def test_employees_and_managers_get_403_on_settings(demo, login, email, path):
    client = login(email)
    assert client.get(path).status_code == 403
    assert client.post(path, {"name": "Sneaky", "key": "sneaky", "label": "S"}).status_code == 403
    assert not Team.objects.filter(name="Sneaky").exists()
    assert not Department.objects.filter(name="Sneaky").exists()
    assert not CustomFieldDefinition.objects.filter(key="sneaky").exists()


def test_hr_chooses_the_self_service_fields(demo, login):
    response = login("hr@demo-bv.test").post(
        "/people/settings/", {"self_editable_fields": ["address", "private_email"]}
    )
    assert response.status_code == 302
    assert services.self_editable(demo["demo-bv"]) == ["address", "private_email"]
    assert AuditEvent.objects.filter(
        tenant=demo["demo-bv"], action="people_settings.updated"
    ).exists()


def test_an_unknown_self_service_field_is_refused(demo, login):
    response = login("hr@demo-bv.test").post(
        "/people/settings/", {"self_editable_fields": ["address", "national_id"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not PeopleSettings.objects.filter(tenant=demo["demo-bv"]).exists()


def test_hr_defines_a_custom_field(demo, login):
    client = login("hr@demo-bv.test")
    response = client.post(
        "/people/settings/custom-fields/",
        {
            "label": "Shoe size",
            "key": "shoe_size",
            "field_type": "choice",
            "choices": "40\n41\n\n42\n",
            "required": "on",
        },
    )
    assert response.status_code == 302
    definition = CustomFieldDefinition.objects.get(tenant=demo["demo-bv"], key="shoe_size")
    assert definition.choices == ["40", "41", "42"]
    assert definition.required
    assert AuditEvent.objects.filter(
        action="custom_field.defined", object_id=str(definition.pk)
    ).exists()
    assert "Shoe size" in client.get("/people/settings/custom-fields/").content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"label": "Shoe size", "key": "Shoe Size!", "field_type": "text"}, "key"),
        ({"label": "Shoe size", "key": "shoe_size", "field_type": "choice"}, "choices"),
        ({"label": "", "key": "shoe_size", "field_type": "text"}, "label"),
        ({"label": "Shoe size", "key": "shoe_size", "field_type": "colour"}, "field_type"),
    ],
)
def test_an_invalid_custom_field_shows_errors_and_is_not_saved(demo, login, data, field):
    events = AuditEvent.objects.count()
    response = login("hr@demo-bv.test").post("/people/settings/custom-fields/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not CustomFieldDefinition.objects.filter(key="shoe_size").exists()
    assert AuditEvent.objects.count() == events


def test_hr_creates_a_department_within_another(demo, login):
    tenant = demo["demo-bv"]
    parent = organisation.create_department(Actor.system("test", tenant), tenant, name="Products")
    client = login("hr@demo-bv.test")
    response = client.post(
        "/people/settings/departments/", {"name": "Research", "code": "RND", "parent": parent.pk}
    )
    assert response.status_code == 302
    department = Department.objects.get(tenant=tenant, name="Research")
    assert department.parent == parent
    assert department.code == "RND"
    assert AuditEvent.objects.filter(
        action="department.created", object_id=str(department.pk)
    ).exists()
    assert "Research" in client.get("/people/settings/departments/").content.decode()


def test_a_duplicate_department_name_is_refused(demo, login):
    tenant = demo["demo-bv"]
    organisation.create_department(Actor.system("test", tenant), tenant, name="Products")
    response = login("hr@demo-bv.test").post("/people/settings/departments/", {"name": "products"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Department.objects.filter(tenant=tenant, name__iexact="products").count() == 1


def test_hr_creates_a_team_in_a_department(demo, login):
    tenant = demo["demo-bv"]
    department = organisation.create_department(
        Actor.system("test", tenant), tenant, name="Products"
    )
    client = login("hr@demo-bv.test")
    response = client.post(
        "/people/settings/teams/", {"name": "Mobile apps", "department": department.pk}
    )
    assert response.status_code == 302
    team = Team.objects.get(tenant=tenant, name="Mobile apps")
    assert team.department == department
    assert AuditEvent.objects.filter(action="team.created", object_id=str(team.pk)).exists()
    assert "Mobile apps" in client.get("/people/settings/teams/").content.decode()


def test_a_team_cannot_join_another_companys_department(demo, login):
    other = demo["other-nv"]
    foreign = organisation.create_department(Actor.system("test", other), other, name="Elsewhere")
    response = login("hr@demo-bv.test").post(
        "/people/settings/teams/", {"name": "Mobile apps", "department": foreign.pk}
    )
    assert response.status_code == 200
    assert "department" in response.context["form"].errors
    assert not Team.objects.filter(name="Mobile apps").exists()


def test_a_team_without_a_name_is_refused(demo, login):
    teams = Team.objects.count()
    response = login("hr@demo-bv.test").post("/people/settings/teams/", {"name": " "})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert Team.objects.count() == teams
