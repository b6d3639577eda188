"""The members UI: who sees whom, and granting and revoking roles."""

from __future__ import annotations

from kluis.access.models import Role, RoleAssignment
from kluis.audit.models import AuditEvent
from tests.conftest import member

OWNER = "owner@demo-bv.test"


def _role(name: str, slug: str = "demo-bv") -> Role:
    return Role.objects.get(tenant__slug=slug, name=name)


def _emails(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {m.user.email for m in response.context["members"]}


def test_members_are_a_filter_of_the_people_list_for_hr_admin(demo, login):
    client = login("hr@demo-bv.test")
    response = client.get("/members/")
    assert response.status_code == 302
    assert response["Location"] == "/people/?account=member"
    listing = client.get(response["Location"])
    with_file = {e.work_email for e in listing.context["employees"]}
    without_file = {m.user.email for m in listing.context["logins_without_file"]}
    assert len(with_file) == 7 and "hr@demo-bv.test" in with_file
    assert without_file == {"auditor@demo-bv.test", "consultant@kluis.test"}
    assert not any(e.endswith("@other-nv.test") for e in with_file | without_file)
    assert b'data-testid="login-without-file"' in listing.content


def test_member_list_stays_for_the_auditor_who_sees_no_hr_files(demo, login):
    response = login("auditor@demo-bv.test").get("/members/")
    assert response.status_code == 200
    emails = _emails(response)
    assert len(emails) == 9
    assert "consultant@kluis.test" in emails
    assert not any(e.endswith("@other-nv.test") for e in emails)
    assert b"Team lead" in response.content
    assert b"Mark De Vries" in response.content  # the manager column


def test_member_list_is_forbidden_without_view_members(demo, login):
    assert login("employee@demo-bv.test").get("/members/").status_code == 403


def test_manager_sees_only_their_team_in_members(demo, login):
    response = login("manager@demo-bv.test").get("/members/")
    assert response.status_code == 200
    assert _emails(response) == {
        "manager@demo-bv.test",
        "member1@demo-bv.test",
        "member2@demo-bv.test",
        "member3@demo-bv.test",
    }


def test_manager_opens_a_team_member(demo, login):
    target = member("member1@demo-bv.test")
    response = login("manager@demo-bv.test").get(f"/members/{target.pk}/")
    assert response.status_code == 200
    assert response.context["member"] == target


def test_manager_gets_404_for_a_member_outside_their_team(demo, login):
    outsider = member("employee@demo-bv.test")
    assert login("manager@demo-bv.test").get(f"/members/{outsider.pk}/").status_code == 404


def test_member_detail_shows_roles_and_grant_form_to_owner(demo, login):
    target = member("hr@demo-bv.test")
    response = login(OWNER).get(f"/members/{target.pk}/")
    assert response.status_code == 200
    held = [a.role.name for a in response.context["assignments"]]
    assert held == ["Employee", "HR admin"]
    grantable = set(
        response.context["grant_form"].fields["role"].queryset.values_list("name", flat=True)
    )
    assert grantable == {"Owner", "Manager", "Auditor"}
    assert b"Revoke" in response.content


def test_member_detail_offers_no_grant_or_revoke_without_manage_roles(demo, login):
    target = member("member1@demo-bv.test")
    response = login("hr@demo-bv.test").get(f"/members/{target.pk}/")
    assert response.status_code == 200
    assert response.context["grant_form"] is None
    assert b"Revoke" not in response.content


def test_grant_is_forbidden_without_manage_roles(demo, login):
    target = member("member1@demo-bv.test")
    before = RoleAssignment.objects.count()
    response = login("hr@demo-bv.test").post(
        f"/members/{target.pk}/roles/grant/", {"role": _role("Owner").pk}
    )
    assert response.status_code == 403
    assert RoleAssignment.objects.count() == before


def test_owner_grants_builtin_role_and_it_is_audited(demo, login):
    target = member("member3@demo-bv.test")
    response = login(OWNER).post(
        f"/members/{target.pk}/roles/grant/", {"role": _role("Manager").pk}, follow=True
    )
    assert response.status_code == 200
    assert b"now has the role Manager" in response.content
    assert RoleAssignment.objects.filter(membership=target, role=_role("Manager")).exists()
    assert AuditEvent.objects.filter(
        action="role.granted", object_id=str(target.pk), actor_label=OWNER
    ).exists()


def test_granting_a_role_already_held_shows_an_error_and_changes_nothing(demo, login):
    target = member("member3@demo-bv.test")
    before = RoleAssignment.objects.count(), AuditEvent.objects.count()
    response = login(OWNER).post(
        f"/members/{target.pk}/roles/grant/", {"role": _role("Employee").pk}
    )
    assert response.status_code == 200
    assert "role" in response.context["grant_form"].errors
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_granting_another_companys_role_shows_an_error_and_changes_nothing(demo, login):
    target = member("member3@demo-bv.test")
    before = RoleAssignment.objects.count(), AuditEvent.objects.count()
    response = login(OWNER).post(
        f"/members/{target.pk}/roles/grant/", {"role": _role("Owner", "other-nv").pk}
    )
    assert response.status_code == 200
    assert "role" in response.context["grant_form"].errors
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_owner_revokes_a_role_and_it_is_audited(demo, login):
    target = member("hr@demo-bv.test")
    role = _role("HR admin")
    url = f"/members/{target.pk}/roles/{role.pk}/revoke/"
    asked = login(OWNER).post(url)
    assert asked.status_code == 200 and "Take the role HR admin away" in asked.content.decode()
    assert RoleAssignment.objects.filter(membership=target, role=role).exists()
    response = login(OWNER).post(url, {"confirmed": "1"}, follow=True)
    assert response.status_code == 200
    assert b"no longer has the role HR admin" in response.content
    assert not RoleAssignment.objects.filter(membership=target, role=role).exists()
    event = AuditEvent.objects.get(action="role.revoked", object_id=str(target.pk))
    assert event.changes == {"role": {"old": "HR admin", "new": None}}


def test_cannot_revoke_the_last_owner(demo, login):
    owner = member(OWNER)
    role = _role("Owner")
    before = RoleAssignment.objects.count(), AuditEvent.objects.count()
    response = login(OWNER).post(
        f"/members/{owner.pk}/roles/{role.pk}/revoke/", {"confirmed": "1"}, follow=True
    )
    assert response.status_code == 200
    assert b"A company needs at least one owner." in response.content
    assert RoleAssignment.objects.filter(membership=owner, role=role).exists()
    assert (RoleAssignment.objects.count(), AuditEvent.objects.count()) == before


def test_revoking_a_role_not_held_shows_a_message(demo, login):
    target = member("member1@demo-bv.test")
    response = login(OWNER).post(
        f"/members/{target.pk}/roles/{_role('Auditor').pk}/revoke/", {"confirmed": "1"}, follow=True
    )
    assert response.status_code == 200
    assert b"does not have the role Auditor" in response.content


def test_revoke_needs_post(demo, login):
    target = member("hr@demo-bv.test")
    url = f"/members/{target.pk}/roles/{_role('HR admin').pk}/revoke/"
    assert login(OWNER).get(url).status_code == 405


def test_member_detail_is_forbidden_without_view_members(demo, login):
    target = member("member1@demo-bv.test")
    assert login("employee@demo-bv.test").get(f"/members/{target.pk}/").status_code == 403


def test_member_detail_of_missing_member_answers_404(demo, login):
    assert login(OWNER).get("/members/99999999/").status_code == 404


def test_grant_by_get_is_not_allowed(demo, login):
    target = member("member1@demo-bv.test")
    assert login(OWNER).get(f"/members/{target.pk}/roles/grant/").status_code == 405


def test_a_member_page_links_to_the_hr_file_for_those_who_may_open_it(demo, login):
    from kluis.people.models import Employee

    target = member("member1@demo-bv.test", "demo-bv")
    employee = Employee.objects.for_tenant(target.tenant).get(membership=target)
    page = login("hr@demo-bv.test", "demo-bv").get(f"/members/{target.pk}/")
    assert f'href="/people/{employee.pk}/#account"'.encode() in page.content
    auditor = login("auditor@demo-bv.test", "demo-bv").get(f"/members/{target.pk}/")
    assert auditor.status_code == 200 and b'data-testid="member-hr-file"' not in auditor.content
    consultant = member("consultant@kluis.test", "demo-bv")  # a login without an HR file
    page = login("hr@demo-bv.test", "demo-bv").get(f"/members/{consultant.pk}/")
    assert page.status_code == 200 and b'data-testid="member-hr-file"' not in page.content
