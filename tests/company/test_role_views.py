"""The roles UI: who sees it, creating, editing and deleting custom roles."""

from __future__ import annotations

import pytest

from kluis.access.models import Role, RoleAssignment
from kluis.audit.models import AuditEvent
from kluis.company.services import create_role
from tests.conftest import actor_for, member

OWNER = "owner@demo-bv.test"


def _role(name: str, slug: str = "demo-bv") -> Role:
    return Role.objects.get(tenant__slug=slug, name=name)


def _custom_role(name: str = "Payroll viewer", **grants: str) -> Role:
    from django.db import transaction

    with transaction.atomic():
        return create_role(
            actor_for(OWNER),
            member(OWNER).tenant,
            name=name,
            grants=grants or {"people.view_salary": "company"},
        )


def _counts() -> tuple[int, int, int]:
    return Role.objects.count(), AuditEvent.objects.count(), RoleAssignment.objects.count()


def test_role_list_shows_builtin_roles_with_holder_counts_to_auditor(demo, login):
    response = login("auditor@demo-bv.test").get("/roles/")
    assert response.status_code == 200
    roles = {r.name: r for r in response.context["roles"]}
    assert set(roles) == {"Owner", "HR admin", "Manager", "Employee", "Auditor"}
    assert roles["Employee"].holders == 6
    assert b"Built-in" in response.content


def test_role_list_is_forbidden_without_view_roles(demo, login):
    assert login("employee@demo-bv.test").get("/roles/").status_code == 403


def test_role_detail_shows_permissions_with_scope_labels(demo, login):
    role = _role("Manager")
    response = login("auditor@demo-bv.test").get(f"/roles/{role.pk}/")
    assert response.status_code == 200
    permissions = {p["code"]: p["scope"] for p in response.context["permissions"]}
    assert str(permissions["people.view"]) == "Own team"
    assert permissions["people.view_salary"] is None
    assert b"See people&#x27;s names, contact and job data" in response.content


def test_role_detail_is_forbidden_without_view_roles(demo, login):
    role = _role("Manager")
    assert login("member1@demo-bv.test").get(f"/roles/{role.pk}/").status_code == 403


def test_new_role_form_is_forbidden_without_manage_roles(demo, login):
    client = login("hr@demo-bv.test")
    assert client.get("/roles/new/").status_code == 403
    before = _counts()
    assert client.post("/roles/new/", {"name": "Sneaky"}).status_code == 403
    assert _counts() == before


def test_new_role_form_offers_only_company_scope_for_company_only_permissions(demo, login):
    response = login(OWNER).get("/roles/new/")
    assert response.status_code == 200
    form = response.context["form"]
    assert [c[0] for c in form.fields["perm_audit__view"].choices] == ["", "company"]
    assert [c[0] for c in form.fields["perm_people__view"].choices] == [
        "",
        "company",
        "team",
        "self",
    ]
    assert b'name="csrfmiddlewaretoken"' in response.content


def test_owner_creates_scoped_custom_role_grants_it_and_both_are_audited(demo, login):
    client = login(OWNER)
    response = client.post(
        "/roles/new/",
        {
            "name": "Team payroll",
            "description": "Salaries of the own team",
            "perm_people__view": "team",
            "perm_people__view_salary": "team",
            "perm_audit__view": "company",
        },
    )
    role = _role("Team payroll")
    assert response.status_code == 302
    assert response["Location"] == f"/roles/{role.pk}/"
    assert dict(role.permissions.values_list("permission", "scope")) == {
        "people.view": "team",
        "people.view_salary": "team",
        "audit.view": "company",
    }
    target = member("member2@demo-bv.test")
    response = client.post(f"/members/{target.pk}/roles/grant/", {"role": role.pk})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(membership=target, role=role).exists()
    created = AuditEvent.objects.get(action="role.created", object_id=str(role.pk))
    assert created.actor_label == OWNER
    granted = AuditEvent.objects.filter(
        action="role.granted", object_id=str(target.pk), actor_label=OWNER
    ).get()
    assert granted.changes == {"role": {"old": None, "new": "Team payroll"}}


def test_role_form_with_empty_name_shows_error_and_changes_nothing(demo, login):
    before = _counts()
    response = login(OWNER).post("/roles/new/", {"name": "  ", "perm_people__view": "company"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert _counts() == before


def test_role_form_with_duplicate_name_shows_error_and_changes_nothing(demo, login):
    before = _counts()
    response = login(OWNER).post("/roles/new/", {"name": "hr ADMIN"})
    assert response.status_code == 200
    assert response.context["form"].errors["name"] == ["Another role already has this name."]
    assert _counts() == before


def test_role_form_with_team_scope_for_company_only_permission_shows_error(demo, login):
    before = _counts()
    response = login(OWNER).post(
        "/roles/new/", {"name": "Team auditor", "perm_audit__view": "team"}
    )
    assert response.status_code == 200
    assert "perm_audit__view" in response.context["form"].errors
    assert _counts() == before


def test_role_form_with_unknown_scope_shows_error(demo, login):
    before = _counts()
    response = login(OWNER).post("/roles/new/", {"name": "Odd", "perm_people__view": "galaxy"})
    assert response.status_code == 200
    assert "perm_people__view" in response.context["form"].errors
    assert _counts() == before


def test_owner_edits_custom_role_and_the_change_is_audited(demo, login):
    role = _custom_role()
    client = login(OWNER)
    form = client.get(f"/roles/{role.pk}/edit/").context["form"]
    assert form["perm_people__view_salary"].value() == "company"
    response = client.post(
        f"/roles/{role.pk}/edit/",
        {"name": "Payroll reader", "perm_people__view_salary": "team"},
    )
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.name == "Payroll reader"
    assert dict(role.permissions.values_list("permission", "scope")) == {
        "people.view_salary": "team"
    }
    event = AuditEvent.objects.get(action="role.updated", object_id=str(role.pk))
    assert event.changes["name"] == {"old": "Payroll viewer", "new": "Payroll reader"}


def test_edit_with_duplicate_name_shows_error_and_changes_nothing(demo, login):
    role = _custom_role()
    before = _counts()
    response = login(OWNER).post(f"/roles/{role.pk}/edit/", {"name": "Owner"})
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    role.refresh_from_db()
    assert role.name == "Payroll viewer"
    assert _counts() == before


def test_builtin_role_detail_offers_no_edit_or_delete(demo, login):
    role = _role("Owner")
    response = login(OWNER).get(f"/roles/{role.pk}/")
    assert b'data-testid="edit-role"' not in response.content
    assert b'data-testid="delete-role"' not in response.content


def test_custom_role_detail_offers_edit_and_delete_to_owner_only(demo, login):
    role = _custom_role()
    assert b'data-testid="edit-role"' in login(OWNER).get(f"/roles/{role.pk}/").content
    response = login("auditor@demo-bv.test").get(f"/roles/{role.pk}/")
    assert b'data-testid="edit-role"' not in response.content


def test_builtin_role_cannot_be_edited(demo, login):
    role = _role("Employee")
    grants = dict(role.permissions.values_list("permission", "scope"))
    client = login(OWNER)
    response = client.get(f"/roles/{role.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"] == f"/roles/{role.pk}/"
    before = _counts()
    response = client.post(
        f"/roles/{role.pk}/edit/", {"name": "Everyone", "perm_audit__view": "company"}, follow=True
    )
    assert b"Built-in roles cannot be changed" in response.content
    role.refresh_from_db()
    assert role.name == "Employee"
    assert dict(role.permissions.values_list("permission", "scope")) == grants
    assert _counts() == before


def test_builtin_role_cannot_be_deleted(demo, login):
    role = _role("Auditor")
    before = _counts()
    response = login(OWNER).post(f"/roles/{role.pk}/delete/", follow=True)
    assert response.status_code == 200
    assert b"Built-in roles cannot be removed." in response.content
    assert Role.objects.filter(pk=role.pk).exists()
    assert _counts() == before


def test_delete_page_asks_for_confirmation(demo, login):
    role = _custom_role()
    response = login(OWNER).get(f"/roles/{role.pk}/delete/")
    assert response.status_code == 200
    assert b'data-testid="confirm-delete"' in response.content
    assert Role.objects.filter(pk=role.pk).exists()


def test_owner_deletes_unused_custom_role_and_it_is_audited(demo, login):
    role = _custom_role()
    response = login(OWNER).post(f"/roles/{role.pk}/delete/")
    assert response.status_code == 302
    assert response["Location"] == "/roles/"
    assert not Role.objects.filter(pk=role.pk).exists()
    assert AuditEvent.objects.filter(action="role.deleted", object_id=str(role.pk)).exists()


def test_custom_role_still_held_cannot_be_deleted(demo, login):
    role = _custom_role()
    client = login(OWNER)
    client.post(f"/members/{member('member1@demo-bv.test').pk}/roles/grant/", {"role": role.pk})
    before = _counts()
    response = client.post(f"/roles/{role.pk}/delete/", follow=True)
    assert b"still hold this role" in response.content
    assert Role.objects.filter(pk=role.pk).exists()
    assert _counts() == before


def test_delete_is_forbidden_without_manage_roles(demo, login):
    role = _custom_role()
    assert login("auditor@demo-bv.test").post(f"/roles/{role.pk}/delete/").status_code == 403
    assert Role.objects.filter(pk=role.pk).exists()


@pytest.mark.parametrize("url", ["/roles/999999/", "/roles/999999/edit/"])
def test_missing_role_answers_404(demo, login, url):
    assert login(OWNER).get(url).status_code == 404
