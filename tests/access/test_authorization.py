"""Deny by default; scopes reach the company, the own team, or only oneself."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.authorization import authorize, can, can_for
from kluis.access.models import Role
from kluis.company.services import create_role, grant_role, revoke_role, update_role
from tests.conftest import actor_for, member


def test_unknown_permission_is_denied_even_for_the_owner(demo):
    with pytest.raises(PermissionDenied):
        authorize(actor_for("owner@demo-bv.test"), "people.launch_rockets")


def test_member_without_roles_can_do_nothing(demo):
    owner = actor_for("owner@demo-bv.test")
    target = member("member2@demo-bv.test")
    revoke_role(owner, target, Role.objects.get(tenant=target.tenant, builtin_key="employee"))
    bare = actor_for("member2@demo-bv.test")
    assert not can(bare, "people.view")
    assert not can_for(bare, "people.view", target)


def test_manager_reaches_own_team_but_not_other_people(demo):
    manager = actor_for("manager@demo-bv.test")
    assert can_for(manager, "people.view", member("member1@demo-bv.test"))
    assert can_for(manager, "people.view", member("manager@demo-bv.test"))
    assert not can_for(manager, "people.view", member("employee@demo-bv.test"))
    assert not can_for(manager, "people.view")  # not for the whole company


def test_manager_cannot_see_salary_of_team(demo):
    manager = actor_for("manager@demo-bv.test")
    team_member = member("member1@demo-bv.test")
    assert not can_for(manager, "people.view_salary", team_member)
    # ...but does see their own, through the Employee role's self scope
    assert can_for(manager, "people.view_salary", member("manager@demo-bv.test"))


def test_employee_reaches_only_self(demo):
    employee = actor_for("member1@demo-bv.test")
    assert can_for(employee, "people.view", member("member1@demo-bv.test"))
    assert not can_for(employee, "people.view", member("member2@demo-bv.test"))


def test_scope_never_crosses_companies(demo):
    hr = actor_for("hr@demo-bv.test")
    assert can_for(hr, "people.view", member("member1@demo-bv.test"))
    assert not can_for(hr, "people.view", member("member1@other-nv.test"))


def test_consultant_permissions_follow_the_active_company(demo):
    in_demo = actor_for("consultant@kluis.test", "demo-bv")
    assert can_for(in_demo, "people.view", member("member1@demo-bv.test"))
    assert not can_for(in_demo, "people.view", member("member1@other-nv.test"))


def test_custom_role_grants_exactly_its_permissions(demo):
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    role = create_role(
        owner,
        tenant,
        name="Team payroll",
        grants={"people.view_salary": "team", "people.view": "team"},
    )
    grant_role(owner, member("employee@demo-bv.test"), role)
    holder = actor_for("employee@demo-bv.test")
    assert not can(holder, "audit.view")
    assert not can_for(holder, "people.view_salary", member("member1@demo-bv.test"))


def test_company_only_permission_cannot_be_granted_for_a_team(demo):
    owner = actor_for("owner@demo-bv.test")
    with pytest.raises(ValidationError) as error:
        create_role(owner, demo["demo-bv"], name="Team auditor", grants={"audit.view": "team"})
    assert "audit.view" in str(error.value)
    assert not Role.objects.filter(name="Team auditor").exists()


def test_hr_admin_cannot_manage_roles(demo):
    hr = actor_for("hr@demo-bv.test")
    with pytest.raises(PermissionDenied):
        create_role(hr, demo["demo-bv"], name="Sneaky", grants={"audit.view": "company"})


def test_actor_of_one_company_cannot_write_roles_of_another(demo):
    owner_other = actor_for("owner@other-nv.test")
    with pytest.raises(PermissionDenied):
        create_role(owner_other, demo["demo-bv"], name="Intruder", grants={})
    role = Role.objects.get(tenant=demo["demo-bv"], builtin_key="owner")
    with pytest.raises(PermissionDenied):
        grant_role(owner_other, member("member1@demo-bv.test"), role)


def test_role_of_another_company_cannot_be_granted(demo):
    owner = actor_for("owner@demo-bv.test")
    foreign_role = Role.objects.get(tenant=demo["other-nv"], builtin_key="owner")
    with pytest.raises(ValidationError):
        grant_role(owner, member("member1@demo-bv.test"), foreign_role)


def test_builtin_roles_cannot_be_changed(demo):
    owner = actor_for("owner@demo-bv.test")
    role = Role.objects.get(tenant=demo["demo-bv"], builtin_key="employee")
    with pytest.raises(ValidationError):
        update_role(owner, role, name="Everyone", grants={"audit.view": "company"})


def test_last_owner_cannot_lose_the_owner_role(demo):
    owner = actor_for("owner@demo-bv.test")
    role = Role.objects.get(tenant=demo["demo-bv"], builtin_key="owner")
    with pytest.raises(ValidationError):
        revoke_role(owner, member("owner@demo-bv.test"), role)
