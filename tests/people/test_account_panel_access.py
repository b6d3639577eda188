"""Who sees the Account panel and who may act on it: HR admin acts; a manager sees their
team's accounts and cannot act; an employee and an auditor reach nothing; another company's
HR gets 404 for every action and changes nothing."""

from __future__ import annotations

import pytest

from kluis.access.models import RoleAssignment
from kluis.audit.models import AuditEvent
from kluis.identity.models import Invitation
from kluis.tenancy.models import Membership
from tests.people.test_account_panel import HR, person, state

ACTIONS = [
    "account/deactivate/",
    "account/reactivate/",
    "account/reset-mfa/",
    "account/invitation/revoke/",
    "account/roles/grant/",
]


def _changes() -> tuple[int, int, int, int]:
    return (
        AuditEvent.objects.count(),
        Membership.objects.filter(is_active=False).count(),
        RoleAssignment.objects.count(),
        Invitation.objects.count(),
    )


def test_a_manager_sees_their_team_members_account_without_actions(demo, login):
    target = person("member1@demo-bv.test")
    manager = login("manager@demo-bv.test", "demo-bv")
    page = manager.get(f"/people/{target.pk}/")
    assert page.status_code == 200 and state(page) == "active"
    assert b'data-testid="account-deactivate"' not in page.content
    assert b'data-testid="account-reset-mfa"' not in page.content
    assert b'data-testid="account-grant-role"' not in page.content
    before = _changes()
    assert manager.get(f"/people/{target.pk}/account/deactivate/").status_code == 403
    assert manager.post(f"/people/{target.pk}/account/deactivate/").status_code == 403
    assert manager.post(f"/people/{target.pk}/invite/").status_code == 403
    assert _changes() == before


def test_an_employee_sees_no_account_panel_and_may_not_act(demo, login):
    me = person("employee@demo-bv.test")
    employee = login("employee@demo-bv.test", "demo-bv")
    page = employee.get(f"/people/{me.pk}/")
    assert page.status_code == 200 and state(page) is None
    before = _changes()
    assert employee.post(f"/people/{me.pk}/account/deactivate/").status_code == 403
    colleague = person("member1@demo-bv.test")
    for action in ACTIONS:
        assert employee.post(f"/people/{colleague.pk}/{action}").status_code == 404
    assert _changes() == before


def test_the_auditor_reaches_no_profile_and_no_action(demo, login):
    target = person("member1@demo-bv.test")
    auditor = login("auditor@demo-bv.test", "demo-bv")
    before = _changes()
    for action in ACTIONS:
        assert auditor.post(f"/people/{target.pk}/{action}").status_code == 404
    assert _changes() == before


def test_hr_admin_may_not_grant_roles(demo, login):
    target = person("member1@demo-bv.test")
    owner_role = RoleAssignment.objects.filter(role__builtin_key="owner").first()
    assert owner_role is not None
    before = _changes()
    hr = login(HR, "demo-bv")
    granted = hr.post(f"/people/{target.pk}/account/roles/grant/", {"role": owner_role.role_id})
    assert granted.status_code == 403
    revoke = f"/people/{target.pk}/account/roles/{owner_role.role_id}/revoke/"
    assert hr.post(revoke).status_code == 403
    assert _changes() == before


@pytest.mark.parametrize("action", ACTIONS)
def test_another_companys_hr_gets_404_and_changes_nothing(demo, login, action):
    target = person("member1@demo-bv.test")
    other = login("hr@other-nv.test", "other-nv")
    before = _changes()
    assert other.get(f"/people/{target.pk}/{action}").status_code == 404
    assert other.post(f"/people/{target.pk}/{action}").status_code == 404
    assert _changes() == before


def test_an_employee_without_a_login_has_no_login_to_act_on(demo, login):
    from tests.people.test_account_panel import newcomer

    hire = newcomer()
    hr = login(HR, "demo-bv")
    assert hr.get(f"/people/{hire.pk}/account/deactivate/").status_code == 404


def test_other_methods_are_refused(demo, login):
    target = person("member1@demo-bv.test")
    hr = login(HR, "demo-bv")
    assert hr.put(f"/people/{target.pk}/account/deactivate/").status_code == 405
    assert hr.get(f"/people/{target.pk}/account/reactivate/").status_code == 405
