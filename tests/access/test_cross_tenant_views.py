"""A member of Other NV reaching for Demo BV's members, roles and audit events gets 404."""

from __future__ import annotations

import pytest
from django.db import transaction

from kluis.access.models import Role, RoleAssignment, RolePermission
from kluis.audit.models import AuditEvent
from kluis.company.services import create_role
from tests.conftest import actor_for, member

OTHER_OWNER = "owner@other-nv.test"


def _snapshot() -> tuple[object, ...]:
    return (
        list(Role.objects.order_by("pk").values_list("pk", "name", "description")),
        list(RolePermission.objects.order_by("pk").values_list("role_id", "permission", "scope")),
        list(RoleAssignment.objects.order_by("pk").values_list("membership_id", "role_id")),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def demo_objects(demo):  # type: ignore[no-untyped-def]
    owner = actor_for("owner@demo-bv.test")
    with transaction.atomic():
        custom = create_role(
            owner, owner.tenant, name="Payroll viewer", grants={"people.view_salary": "company"}
        )
    return {
        "member": member("member1@demo-bv.test"),
        "owner_member": member("owner@demo-bv.test"),
        "builtin": Role.objects.get(tenant__slug="demo-bv", builtin_key="employee"),
        "custom": custom,
        "event": AuditEvent.objects.filter(tenant__slug="demo-bv").first(),
    }


def _get_urls(o: dict) -> list[str]:  # type: ignore[type-arg]
    return [
        f"/members/{o['member'].pk}/",
        f"/roles/{o['builtin'].pk}/",
        f"/roles/{o['custom'].pk}/",
        f"/roles/{o['custom'].pk}/edit/",
        f"/roles/{o['custom'].pk}/delete/",
        f"/audit/{o['event'].pk}/",
    ]


def test_other_company_owner_gets_404_for_demo_pages(demo_objects, login):
    client = login(OTHER_OWNER)
    for url in _get_urls(demo_objects):
        assert client.get(url).status_code == 404, url


def test_other_company_owner_cannot_change_demo_roles_or_grants(demo_objects, login):
    o = demo_objects
    own_member = member("member1@other-nv.test")
    own_role = Role.objects.get(tenant__slug="other-nv", builtin_key="manager")
    client = login(OTHER_OWNER)
    before = _snapshot()
    posts = [
        (f"/roles/{o['custom'].pk}/edit/", {"name": "Hijacked", "perm_audit__view": "company"}),
        (f"/roles/{o['custom'].pk}/delete/", {}),
        (f"/roles/{o['builtin'].pk}/delete/", {}),
        (f"/members/{o['member'].pk}/roles/grant/", {"role": own_role.pk}),
        (f"/members/{o['owner_member'].pk}/roles/{o['builtin'].pk}/revoke/", {}),
        (f"/members/{own_member.pk}/roles/{o['builtin'].pk}/revoke/", {}),
        # Confirmed: still another company's objects.
        (
            f"/members/{o['owner_member'].pk}/roles/{o['builtin'].pk}/revoke/",
            {"confirmed": "1"},
        ),
        (f"/members/{o['member'].pk}/deactivate/", {}),
        (f"/members/{o['member'].pk}/deactivate/", {"confirmed": "1"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert _snapshot() == before


def test_granting_a_demo_role_to_own_member_is_a_form_error(demo_objects, login):
    own_member = member("member1@other-nv.test")
    before = _snapshot()
    response = login(OTHER_OWNER).post(
        f"/members/{own_member.pk}/roles/grant/", {"role": demo_objects["custom"].pk}
    )
    assert response.status_code == 200
    assert "role" in response.context["grant_form"].errors
    assert _snapshot() == before


def test_consultant_working_in_other_nv_gets_404_for_demo_member(demo_objects, login):
    client = login("consultant@kluis.test", "other-nv")
    assert client.get(f"/members/{demo_objects['member'].pk}/").status_code == 404
    own = member("consultant@kluis.test", "other-nv")
    assert client.get(f"/members/{own.pk}/").status_code == 200


def test_member_list_of_other_company_shows_none_of_demo(demo_objects, login):
    # The members are a filter of the People list there, with the logins without an HR file.
    response = login(OTHER_OWNER).get("/members/", follow=True)
    assert {e.tenant.slug for e in response.context["employees"]} == {"other-nv"}
    assert {m.tenant.slug for m in response.context["logins_without_file"]} == {"other-nv"}
    auditor = login("auditor@other-nv.test").get("/members/")
    assert {m.tenant.slug for m in auditor.context["members"]} == {"other-nv"}
    response = login(OTHER_OWNER).get("/roles/")
    assert "Payroll viewer" not in {r.name for r in response.context["roles"]}
