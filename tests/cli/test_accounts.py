"""`kluis createtenant` and `kluis createuser` go through the services and the audit log."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate, get_user_model

from kluis.audit.models import AuditEvent
from kluis.cli import main
from kluis.tenancy.models import Membership, Tenant

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough pass phrase for kluis"


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _create_acme(monkeypatch: pytest.MonkeyPatch, *extra: str, password: str = PASSWORD) -> int:
    assert main(["createtenant", "--slug", "acme", "--name", "Acme BV"]) == 0
    _stdin(monkeypatch, f"{password}\nignored second line\n")
    args = ["createuser", "--tenant", "acme", "--email", "Boss@Acme.test", "--first-name", "Bo"]
    return main([*args, *extra])


def test_created_member_can_sign_in_with_the_password_from_stdin(monkeypatch, capsys):
    assert _create_acme(monkeypatch, "--role", "owner") == 0
    assert "Added boss@acme.test to acme with roles: Owner." in capsys.readouterr().out
    user = authenticate(email="boss@acme.test", password=PASSWORD)
    assert user is not None
    membership = Membership.objects.get(user=user)
    assert membership.tenant.slug == "acme"
    assert [r.role.builtin_key for r in membership.role_assignments.all()] == ["owner"]


def test_company_and_member_creation_are_in_the_companys_audit_log(monkeypatch):
    assert _create_acme(monkeypatch, "--role", "hr_admin", "--role", "employee") == 0
    events = AuditEvent.objects.filter(tenant__slug="acme")
    assert events.filter(action="tenant.created", actor_label="cli:createtenant").exists()
    assert events.filter(action="membership.created", actor_label="cli:createuser").exists()
    assert events.filter(action="role.granted", actor_label="cli:createuser").count() == 2


def test_member_gets_the_employee_role_by_default(monkeypatch):
    assert _create_acme(monkeypatch) == 0
    membership = Membership.objects.get(user__email="boss@acme.test")
    assert [r.role.builtin_key for r in membership.role_assignments.all()] == ["employee"]


def test_short_password_is_refused_clearly_and_nothing_is_created(monkeypatch, capsys):
    assert _create_acme(monkeypatch, password="short-pw") == 1
    err = capsys.readouterr().err
    assert "kluis: password: This password is too short" in err
    assert "15 characters" in err
    assert "Traceback" not in err
    assert not get_user_model().objects.filter(email="boss@acme.test").exists()
    assert not Membership.objects.filter(tenant__slug="acme").exists()


def test_missing_password_on_stdin_is_refused(monkeypatch, capsys):
    assert _create_acme(monkeypatch, password="") == 1
    assert "kluis: password: none on standard input" in capsys.readouterr().err
    assert not get_user_model().objects.filter(email="boss@acme.test").exists()


def test_unknown_role_is_refused_naming_the_roles_there_are(monkeypatch, capsys):
    assert _create_acme(monkeypatch, "--role", "janitor") == 1
    err = capsys.readouterr().err
    assert "kluis: role: acme has no role 'janitor'" in err
    assert "hr_admin" in err
    assert not get_user_model().objects.filter(email="boss@acme.test").exists()


def test_custom_role_can_be_given_by_name(monkeypatch):
    from kluis.access.actor import Actor
    from kluis.company.services import create_role

    assert main(["createtenant", "--slug", "acme", "--name", "Acme BV"]) == 0
    tenant = Tenant.objects.get(slug="acme")
    create_role(Actor.system("test", tenant), tenant, name="Payroll clerk", grants={})
    _stdin(monkeypatch, PASSWORD + "\n")
    args = ["createuser", "--tenant", "acme", "--email", "p@acme.test", "--role", "payroll clerk"]
    assert main(args) == 0
    membership = Membership.objects.get(user__email="p@acme.test")
    assert [r.role.name for r in membership.role_assignments.all()] == ["Payroll clerk"]


def test_unknown_company_is_refused(monkeypatch, capsys):
    _stdin(monkeypatch, PASSWORD + "\n")
    assert main(["createuser", "--tenant", "nope", "--email", "a@b.test"]) == 1
    assert capsys.readouterr().err.strip() == "kluis: tenant: no company with slug 'nope'"


def test_createtenant_reports_each_problem_on_its_own_line(capsys):
    assert main(["createtenant", "--slug", "Not A Slug!", "--name", "  "]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "kluis: name: A company needs a name.",
        "kluis: slug: Use 1-60 lowercase letters, digits and hyphens.",
    ]
    assert not Tenant.objects.filter(name="").exists()


def test_createtenant_refuses_a_slug_in_use(capsys):
    assert main(["createtenant", "--slug", "acme", "--name", "Acme BV"]) == 0
    assert main(["createtenant", "--slug", "acme", "--name", "Acme Again"]) == 1
    assert "kluis: slug: A company with slug 'acme' already exists." in capsys.readouterr().err
