"""The People list's Account and Role filters count what the accounts are; logins without
an HR file (the auditor, the consultant) show under the table; a viewer who may not see
members gets neither filter."""

from __future__ import annotations

from typing import Any

from kluis.access.models import Role
from kluis.company.services import deactivate_member
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from tests.conftest import actor_for, member
from tests.people.test_account_panel import HR

LOGINS_WITH_FILE = 7  # owner, hr, manager, member1-3, employee of each demo company


def listing(client: Any, **query: Any) -> Any:
    response = client.get("/people/", {"page_size": 200, **query})
    assert response.status_code == 200
    return response


def count(response: Any) -> int:
    return int(response.context["page"].paginator.count)


def without_file(response: Any) -> set[str]:
    return {m.user.email for m in response.context["logins_without_file"]}


def test_account_filter_counts(demo, login):
    tenant = Tenant.objects.get(slug="demo-bv")
    everyone = Employee.objects.for_tenant(tenant).count()
    hr = login(HR, "demo-bv")
    assert count(listing(hr, account="member")) == LOGINS_WITH_FILE
    assert count(listing(hr, account="active")) == LOGINS_WITH_FILE
    assert count(listing(hr, account="mfa_missing")) == LOGINS_WITH_FILE
    assert count(listing(hr, account="invited")) == 0
    assert count(listing(hr, account="deactivated")) == 0
    assert count(listing(hr, account="none")) == everyone - LOGINS_WITH_FILE
    deactivate_member(actor_for(HR, "demo-bv"), member("member1@demo-bv.test", "demo-bv"))
    deactivated = listing(hr, account="deactivated")
    assert [e.work_email for e in deactivated.context["employees"]] == ["member1@demo-bv.test"]
    assert b'data-state="deactivated"' in deactivated.content
    assert count(listing(hr, account="active")) == LOGINS_WITH_FILE - 1


def test_mfa_missing_leaves_out_the_login_with_an_authenticator_app(demo, login):
    hr = login("hr@other-nv.test", "other-nv")
    missing = listing(hr, account="mfa_missing")
    assert count(missing) == LOGINS_WITH_FILE - 1
    emails = {e.work_email for e in missing.context["employees"]}
    assert "manager@other-nv.test" not in emails


def test_role_filter_narrows_employees_and_logins_without_file(demo, login):
    hr = login(HR, "demo-bv")
    roles = {r.name: r.pk for r in Role.objects.filter(tenant__slug="demo-bv")}
    employees = listing(hr, role=roles["Employee"])
    assert count(employees) == 6  # hr, manager, member1-3, employee
    hr_admins = listing(hr, role=roles["HR admin"])
    assert {e.work_email for e in hr_admins.context["employees"]} == {HR}
    assert without_file(hr_admins) == {"consultant@kluis.test"}
    assert without_file(listing(hr, role=roles["Auditor"])) == {"auditor@demo-bv.test"}
    # Another company's role is not a choice: the filter is invalid and shows nobody.
    foreign = Role.objects.get(tenant__slug="other-nv", name="HR admin")
    assert count(listing(hr, role=foreign.pk)) == 0


def test_logins_without_file_follow_the_account_filter_and_leave_with_other_filters(demo, login):
    hr = login(HR, "demo-bv")
    assert without_file(listing(hr)) == {"auditor@demo-bv.test", "consultant@kluis.test"}
    assert without_file(listing(hr, account="none")) == set()
    assert without_file(listing(hr, q="auditor")) == {"auditor@demo-bv.test"}
    assert without_file(listing(hr, status="active")) == set()


def test_a_viewer_who_may_not_see_members_gets_no_account_filter(demo, login):
    employee = login("employee@demo-bv.test", "demo-bv")
    response = employee.get("/people/", {"account": "deactivated"})
    assert response.status_code == 200
    assert "account" not in response.context["filter"].form.fields
    assert count(response) == 1  # their own file, not narrowed by the parameter
    assert response.context["logins_without_file"] == []
    assert b'data-testid="account-state"' not in response.content


def test_built_in_role_names_are_in_the_readers_language(demo, login):
    """The Role filter of the People list and the Account panel name built-in roles as the
    Roles page does, in the reader's language (not the stored English names)."""
    from django.utils import translation

    from kluis.access.models import Role
    from kluis.people.models import Employee
    from tests.conftest import member

    with translation.override("fr"):
        names = {
            role.name: role.display_name
            for role in Role.objects.filter(tenant=member("hr@demo-bv.test").tenant).exclude(
                builtin_key=""
            )
        }
    assert names["Employee"] != "Employee", names
    hr = login("hr@demo-bv.test")
    listing = hr.get("/people/", secure=True, headers={"accept-language": "fr"}).content.decode()
    role_select = listing[
        listing.index('name="role"') : listing.index("</select>", listing.index('name="role"'))
    ]
    assert names["Employee"] in role_select and ">Employee<" not in role_select
    employee = Employee.objects.get(membership=member("employee@demo-bv.test"))
    profile = hr.get(f"/people/{employee.pk}/", secure=True, headers={"accept-language": "fr"})
    roles = profile.content.decode().split('data-testid="account-roles"', 1)[1].split("</ul>", 1)[0]
    assert names["Employee"] in roles and "Employee" not in roles.replace(names["Employee"], "")
