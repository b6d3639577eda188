"""Company-owned rows are read through the restricting queryset (kluis/tenancy/querysets.py),
never through a company filter written by hand: a view, form, selector or service that
writes `.filter(tenant=...)`, `.get(tenant_id=...)`, `.exclude(employee__tenant=...)`,
`get_object_or_404(Model, tenant=...)` or `Q(tenant=...)` fails the scan below. Views and
forms read with `for_actor` / `access_by_id` (or a related manager of a row read that
way); code handed a company without an actor of it uses `for_tenant`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse

import kluis
from kluis.access.models import Role
from kluis.audit.models import AuditEvent
from kluis.people.models import Employee, Employment
from kluis.tenancy.models import Membership, Tenant

KLUIS = Path(kluis.__file__).resolve().parent

# Calls that read rows and take lookups as keywords.
READS = {"filter", "get", "exclude", "get_object_or_404", "get_list_or_404", "Q"}
# Where the company filter is written once, on purpose.
DEFINITION = "tenancy/querysets.py"

# `path::function` -> why its company lookup stays as it is. Every entry must still match.
ALLOWED: dict[str, str] = {
    "tenancy/selectors.py::memberships_of_user": (
        "a person's memberships in every company, read before a company is chosen "
        "(TenantMiddleware picks one from them); tenant__is_active hides deactivated "
        "companies, it narrows to none"
    ),
    "integrations/oauth.py::usable": (
        "django-oauth-toolkit asks whether an application may be used, before any company "
        "or actor is known; tenant__is_active refuses a deactivated company's client"
    ),
}


def _company_keyword(name: str | None) -> bool:
    """tenant=, tenant_id=, tenant__in=, employee__tenant=, client__tenant__slug=, ..."""
    if name is None:
        return False
    parts = name.split("__")
    return "tenant" in parts or "tenant_id" in parts


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    if isinstance(call.func, ast.Name):
        return call.func.id
    return None


def hand_written_company_filters(root: Path) -> dict[str, list[int]]:
    """`path::function` -> lines of the reads under `root` that name the company by hand."""
    found: dict[str, list[int]] = {}

    def visit(node: ast.AST, where: list[str], path: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                visit(child, [*where, child.name], path)
                continue
            if (
                isinstance(child, ast.Call)
                and _called_name(child) in READS
                and any(_company_keyword(k.arg) for k in child.keywords)
            ):
                key = f"{path}::{'.'.join(where) or '<module>'}"
                found.setdefault(key, []).append(child.lineno)
            visit(child, where, path)

    for source in sorted(root.rglob("*.py")):
        relative = source.relative_to(root).as_posix()
        if "migrations" in source.relative_to(root).parts or relative == DEFINITION:
            continue
        visit(ast.parse(source.read_text(), filename=str(source)), [], relative)
    return found


def test_no_company_owned_model_is_read_through_a_hand_written_company_filter() -> None:
    found = hand_written_company_filters(KLUIS)
    by_hand = {key: lines for key, lines in found.items() if key not in ALLOWED}
    assert by_hand == {}, (
        "read company-owned rows through Model.objects.for_actor(actor) / access_by_id "
        "(or for_tenant(tenant) for system work), not a tenant= filter: "
        + ", ".join(f"{key} line {lines}" for key, lines in by_hand.items())
    )


def test_every_allowed_hand_written_filter_still_exists_and_says_why() -> None:
    found = hand_written_company_filters(KLUIS)
    assert sorted(set(ALLOWED) - set(found)) == [], "remove these entries from ALLOWED"
    assert all(len(reason) > 40 for reason in ALLOWED.values())


def test_the_scan_catches_a_planted_hand_written_filter(tmp_path: Path) -> None:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "views.py").write_text(
        "from django.db.models import Q\n"
        "from django.shortcuts import get_object_or_404\n"
        "\n"
        "def leaky(request, pk):\n"
        "    return Employee.objects.filter(tenant=request.tenant, pk=pk)\n"
        "\n"
        "class Page:\n"
        "    def get_object(self):\n"
        "        return get_object_or_404(Team, pk=1, tenant_id=self.request.tenant.pk)\n"
        "\n"
        "def sideways(tenant):\n"
        "    return Wage.objects.exclude(employee__tenant=tenant).get(Q(tenant__in=[1]))\n"
        "\n"
        "def fine(actor, pk):\n"
        "    Team.objects.for_actor(actor).filter(name='x')\n"
        "    Team.objects.access_by_id(actor, pk)\n"
        "    return Team.objects.for_tenant(3).create(tenant_id=3, name='y')\n"
    )
    (tmp_path / "shop" / "migrations").mkdir()
    (tmp_path / "shop" / "migrations" / "0001_initial.py").write_text(
        "def forwards(apps, schema_editor):\n"
        "    apps.get_model('shop', 'Team').objects.filter(tenant_id=1).delete()\n"
    )
    found = hand_written_company_filters(tmp_path)
    assert found == {
        "shop/views.py::leaky": [5],
        "shop/views.py::Page.get_object": [9],
        "shop/views.py::sideways": [12, 12],
    }


def test_views_and_forms_read_as_their_actor_not_as_a_handed_company() -> None:
    """A view or form always has an actor (the signed-in member): for_tenant is for code
    that has none, so it never appears in the UI's rooms."""
    ui = [
        source
        for source in KLUIS.rglob("*.py")
        if "/api/" not in source.as_posix()
        and (
            source.name in {"views.py", "forms.py", "filters.py", "oauth_views.py"}
            or source.parent.name in {"views", "forms"}
        )
    ]
    assert len(ui) > 15
    using = [
        f"{source.relative_to(KLUIS)}:{node.lineno}"
        for source in ui
        for node in ast.walk(ast.parse(source.read_text()))
        if isinstance(node, ast.Call) and _called_name(node) == "for_tenant"
    ]
    assert using == []


@pytest.mark.django_db
def test_for_tenant_gives_the_handed_company_only(demo: dict[str, Tenant]) -> None:
    for tenant in demo.values():
        for handed in (tenant, tenant.pk):
            rows = Employee.objects.for_tenant(handed)
            assert set(rows.values_list("tenant_id", flat=True)) == {tenant.pk}


# --- behaviour: another company's id answers exactly as a missing id --------------------


def _answer(client, url: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    response = client.get(url, secure=True)
    return response.status_code, [t.name for t in response.templates]


@pytest.mark.django_db
def test_detail_pages_answer_another_companys_id_as_a_missing_one(
    demo: dict[str, Tenant],
    login,  # type: ignore[no-untyped-def]
) -> None:
    """Demo BV's owner holds every permission: Other NV's role, member and audit event
    get the very page a missing id gets (404, same template), not a 403 or another page."""
    theirs = demo["other-nv"]
    client = login("owner@demo-bv.test", "demo-bv")
    foreign = {
        "roles:role": Role.objects.filter(tenant=theirs).first(),
        "members:member": Membership.objects.filter(tenant=theirs).first(),
        "audit:event": AuditEvent.objects.filter(tenant=theirs).first(),
    }
    for name, row in foreign.items():
        assert row is not None, name
        got = _answer(client, reverse(name, kwargs={"pk": row.pk}))
        assert got[0] == 404, name
        assert got == _answer(client, reverse(name, kwargs={"pk": 987654321})), name


@pytest.mark.django_db
def test_a_contract_of_another_employee_is_not_found_under_this_one(
    demo: dict[str, Tenant],
    login,  # type: ignore[no-untyped-def]
) -> None:
    """A contract is looked up among the employee's own contracts: another employee's
    (same company) and another company's answer as a missing one."""
    ours, theirs = demo["demo-bv"], demo["other-nv"]
    client = login("owner@demo-bv.test", "demo-bv")
    employee = Employee.objects.get(tenant=ours, work_email="member1@demo-bv.test")
    colleague = Employee.objects.get(tenant=ours, work_email="member2@demo-bv.test")
    own = Employment.objects.filter(employee=employee).first()
    sideways = Employment.objects.filter(employee=colleague).first()
    foreign = Employment.objects.filter(tenant=theirs).first()
    assert own is not None and sideways is not None and foreign is not None

    def url(contract_pk: int) -> str:
        return reverse(
            "people:end_employment", kwargs={"pk": employee.pk, "contract_pk": contract_pk}
        )

    assert client.get(url(own.pk), secure=True).status_code == 200
    missing = _answer(client, url(987654321))
    assert missing[0] == 404
    assert _answer(client, url(sideways.pk)) == missing
    assert _answer(client, url(foreign.pk)) == missing
