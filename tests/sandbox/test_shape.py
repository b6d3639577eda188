"""A sandbox has the shape of its source and none of its personal values or wages."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from kluis.access.models import Role, RoleAssignment
from kluis.crypto import vault
from kluis.identity.sso.models import IdentityProvider, SignInDomain
from kluis.integrations.models import ApiClient
from kluis.integrations.webhooks.models import WebhookSubscription
from kluis.people.fields import WAGE_PURPOSE
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team, Wage
from kluis.people.records import sealed_value
from kluis.sandbox.models import Sandbox
from kluis.tenancy import rls
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff.models import LeaveType

pytestmark = pytest.mark.django_db

SOURCE_OWNER = "owner@demo-bv.test"  # the sandbox's own owner: their login is theirs


def _personal_values(tenant: Tenant) -> set[str]:
    """Every full name, e-mail, phone, IBAN, national number, address and wage of the
    company (a first name or a street alone is no one's: those are checked by reading the
    sandbox's people back, below)."""
    values: set[str] = set()
    for employee in Employee.objects.for_tenant(tenant):
        for name in ("work_email", "private_email", "private_phone", "work_phone"):
            values.add(str(getattr(employee, name)))
        values.add(f"{employee.first_name} {employee.last_name}")
        for name in ("iban", "national_id"):
            values.add(str(sealed_value(employee, name) or ""))
        address = sealed_value(employee, "address") or {}
        values.add(f"{address.get('street', '')} {address.get('number', '')}")
    for token in Wage.objects.for_tenant(tenant).values_list("amount_sealed", flat=True):
        amount = Decimal(vault.unseal(tenant.pk, WAGE_PURPOSE, token) or "0")
        values.update({str(amount), f"{amount:.2f}"})
    for user in Membership.objects.for_tenant(tenant).values_list("user__email", flat=True):
        values.add(user)
    owner = Membership.objects.for_tenant(tenant).get(user__email=SOURCE_OWNER).user
    return {v for v in values if len(v) >= 4} - {SOURCE_OWNER, owner.get_full_name()}


def _dump(tenant: Tenant) -> str:
    """Every row of every table that belongs to the company, as text (sealed values
    opened), plus the logins of its members."""
    out: list[str] = []
    quote = connection.ops.quote_name
    with rls.unnarrowed(), connection.cursor() as cursor:
        for table, column in rls.tenant_tables():
            cursor.execute(f"SELECT * FROM {quote(table)} WHERE {quote(column)} = %s", [tenant.pk])
            out.extend(repr(row) for row in cursor.fetchall())
    for employee in Employee.objects.for_tenant(tenant):
        for name in ("iban", "national_id", "address"):
            out.append(json.dumps(sealed_value(employee, name), default=str))
    for token in Wage.objects.for_tenant(tenant).values_list("amount_sealed", flat=True):
        out.append(str(vault.unseal(tenant.pk, WAGE_PURPOSE, token)))
    members = Membership.objects.for_tenant(tenant).exclude(user__email=SOURCE_OWNER)
    for first, last, email in members.values_list(
        "user__first_name", "user__last_name", "user__email"
    ):
        out.append(f"{first} {last} {email}")
    return "\n".join(out)


def test_no_personal_value_or_wage_of_the_source_is_anywhere_in_the_sandbox(made: Sandbox):
    source, sandbox = made.source, made.company
    secrets_of_source = _personal_values(source)
    assert len(secrets_of_source) > 200  # names, addresses, IBANs, national numbers, wages
    dump = _dump(sandbox)
    found = sorted(v for v in secrets_of_source if re.search(rf"\b{re.escape(v)}\b", dump))
    assert found == [], found

    # No one in the sandbox has the first name, last name or birth date of anyone in the
    # source, read back through the model.
    def names(tenant: Tenant) -> tuple[set[str], set[str]]:
        rows = Employee.objects.for_tenant(tenant).values_list("first_name", "last_name")
        return {f for f, _l in rows}, {la for _f, la in rows}

    (their_first, their_last), (our_first, our_last) = names(source), names(sandbox)
    assert not their_first & our_first and not their_last & our_last
    # ...and the sandbox has values of its own of each kind (not blanks).
    people = list(Employee.objects.for_tenant(sandbox))
    assert all(sealed_value(e, "iban") and sealed_value(e, "national_id") for e in people)
    assert all(e.birth_date and e.work_email.endswith(".sandbox.kluis.invalid") for e in people)


def test_the_sandbox_has_the_shape_of_its_source(made: Sandbox):
    source, sandbox = made.source, made.company
    assert made.status == Sandbox.Status.READY

    def count(model: Any, tenant: Tenant, *fields: str) -> Counter[Any]:
        return Counter(model.objects.for_tenant(tenant).values_list(*fields))

    assert (
        Employee.objects.for_tenant(sandbox).count() == Employee.objects.for_tenant(source).count()
    )
    assert count(Department, sandbox, "name", "code") == count(Department, source, "name", "code")
    assert count(Team, sandbox, "name", "department__name") == count(
        Team, source, "name", "department__name"
    )
    people = ("department__name", "team__name", "status", "job_title")
    assert count(Employee, sandbox, *people) == count(Employee, source, *people)
    fields = ("key", "label", "field_type", "required")
    assert count(CustomFieldDefinition, sandbox, *fields) == count(
        CustomFieldDefinition, source, *fields
    )
    assert count(Role, sandbox, "name", "builtin_key") == count(Role, source, "name", "builtin_key")
    assert count(RoleAssignment, sandbox, "role__name") == count(
        RoleAssignment, source, "role__name"
    )
    assert count(LeaveType, sandbox, "code", "yearly_entitlement") == count(
        LeaveType, source, "code", "yearly_entitlement"
    )
    assert count(Wage, sandbox, "currency", "period") == count(Wage, source, "currency", "period")
    # Custom values of the right type where the source has one, never the same set.
    sizes = {"XS", "S", "M", "L", "XL", "XXL"}
    for employee in Employee.objects.for_tenant(sandbox):
        values = employee.custom_fields
        assert values.get("tshirt_size", "M") in sizes
        assert isinstance(values.get("company_car", False), bool)


def test_the_synthetic_wages_are_plausible_and_not_the_sources(made: Sandbox):
    sandbox, source = made.company, made.source
    amounts = [
        Decimal(vault.unseal(sandbox.pk, WAGE_PURPOSE, t) or "0")
        for t in Wage.objects.for_tenant(sandbox).values_list("amount_sealed", flat=True)
    ]
    theirs = [
        Decimal(vault.unseal(source.pk, WAGE_PURPOSE, t) or "0")
        for t in Wage.objects.for_tenant(source).values_list("amount_sealed", flat=True)
    ]
    assert amounts and all(Decimal(2100) <= a < Decimal(7500) for a in amounts)
    assert sorted(amounts) != sorted(theirs)


def test_the_owner_is_the_sandboxs_owner_and_nothing_secret_is_copied(made: Sandbox):
    sandbox = made.company
    owner = Membership.objects.for_tenant(sandbox).get(user__email=SOURCE_OWNER)
    assert (
        RoleAssignment.objects.for_tenant(sandbox)
        .filter(membership=owner, role__builtin_key="owner")
        .exists()
    )
    for model in (ApiClient, WebhookSubscription, IdentityProvider, SignInDomain):
        assert not model.objects.for_tenant(sandbox).exists(), model


def test_made_up_addresses_are_valid_whatever_the_names():
    """A name cut at 40 characters on a dot, or with nothing left in ASCII, still gives a
    valid address (a random demo once failed "Enter a valid e-mail address")."""
    from types import SimpleNamespace

    from django.core.validators import validate_email

    from kluis.sandbox.synthesis import Synthesiser

    maker = SimpleNamespace(serial=0, sandbox=SimpleNamespace(slug="sandbox-acme"))
    for first, last in (
        ("A" * 38, "Ma"),
        ("Anne-Marie " * 5, "Van den Berghe"),
        ("Jean", "Van der Straeten-De Smedt"),
        ("Łukasz", "Żółć"),
        ("李", "王"),
        ("O'Neil", "D'Hondt"),
    ):
        validate_email(Synthesiser._address(maker, first, last))  # type: ignore[arg-type]
