"""/api/v1/roles/ and /api/v1/memberships/: read only with roles:read; the company's own
only; 404 across companies; no writes."""

from __future__ import annotations

import json
from typing import Any

from kluis.access.models import Role
from kluis.tenancy.models import Membership
from tests.api_client import assert_problem

ROLES = "/api/v1/roles/"
MEMBERSHIPS = "/api/v1/memberships/"


def body(response: Any) -> Any:
    return json.loads(response.content)


def test_roles_list_with_their_grants(api):
    rows = body(api(["roles:read"]).get(ROLES + "?page_size=200"))["results"]
    assert {r["id"] for r in rows} == set(
        Role.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    owner = next(r for r in rows if r["builtin_key"] == "owner")
    assert {"permission": "audit.view", "scope": "company"} in owner["grants"]


def test_one_role_with_etag_and_sparse_fields(api):
    role = Role.objects.get(tenant__slug="demo-bv", builtin_key="employee")
    client = api(["roles:read"])
    response = client.get(f"{ROLES}{role.pk}/?fields=name")
    assert response.status_code == 200 and body(response) == {"id": role.pk, "name": role.name}
    assert response["ETag"].startswith(f'W/"{role.pk}-')
    rows = body(client.get(ROLES + "?builtin_key=employee"))["results"]
    assert [r["id"] for r in rows] == [role.pk]


def test_memberships_list_with_roles_and_filter(api):
    client = api(["roles:read"])
    rows = body(client.get(MEMBERSHIPS + "?page_size=200"))["results"]
    assert {r["id"] for r in rows} == set(
        Membership.objects.filter(tenant__slug="demo-bv").values_list("pk", flat=True)
    )
    owner = next(r for r in rows if r["email"] == "owner@demo-bv.test")
    owner_role = Role.objects.get(tenant__slug="demo-bv", builtin_key="owner")
    assert owner_role.pk in owner["roles"]
    filtered = body(client.get(f"{MEMBERSHIPS}?role={owner_role.pk}"))["results"]
    assert owner["id"] in {r["id"] for r in filtered}
    assert all(owner_role.pk in r["roles"] for r in filtered)
    response = client.get(f"{MEMBERSHIPS}{owner['id']}/")
    assert response.status_code == 200 and body(response) == owner and response["ETag"]


def test_without_roles_read_it_is_403(api):
    client = api(["employees:read", "employees:write", "audit:read"])
    assert_problem(client.get(ROLES), 403)
    assert_problem(client.get(MEMBERSHIPS), 403)


def test_another_companys_role_and_membership_are_404(api):
    client = api(["roles:read"])
    role = Role.objects.filter(tenant__slug="other-nv").first()
    membership = Membership.objects.filter(tenant__slug="other-nv").first()
    assert_problem(client.get(f"{ROLES}{role.pk}/"), 404)
    assert_problem(client.get(f"{MEMBERSHIPS}{membership.pk}/"), 404)


def test_they_are_read_only_and_bad_filters_are_400(api):
    client = api()
    count = Role.objects.count()
    assert_problem(client.post(ROLES, {"name": "Root"}), 405)
    assert_problem(client.post(MEMBERSHIPS, {"email": "x@example.com"}), 405)
    assert_problem(client.get(MEMBERSHIPS + "?role=abc"), 400)
    assert_problem(client.get(ROLES + "?ordering=description"), 400)
    assert Role.objects.count() == count
