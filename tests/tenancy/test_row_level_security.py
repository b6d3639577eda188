"""PostgreSQL row-level security: while serving a member, the database itself hides and
refuses every other company's rows, even for a query that forgot its tenant filter."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kluis.access.models import Role
from kluis.people.models import Employee
from kluis.tenancy.models import Tenant
from kluis.tenancy.rls import narrow_to, tenant_tables, widen

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row-level security is a PostgreSQL feature"
)


def test_every_company_table_has_forced_row_level_security(db):
    tables = dict(tenant_tables())
    assert {"people_employee", "audit_auditevent", "access_role", "tenancy_tenant"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relname = ANY(%s) "
            "AND relrowsecurity AND relforcerowsecurity",
            [list(tables)],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert protected == set(tables)


def test_the_test_role_is_not_a_superuser_so_policies_apply(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        assert cursor.fetchone() == (False, False)


def test_narrowed_connection_sees_only_its_company(demo):
    demo_bv, other = demo["demo-bv"], demo["other-nv"]
    narrow_to(demo_bv.pk)
    try:
        assert Employee.objects.filter(tenant=other).count() == 0  # forgot nothing, still hidden
        assert Employee.objects.count() == Employee.objects.filter(tenant=demo_bv).count() > 0
        assert list(Tenant.objects.values_list("slug", flat=True)) == ["demo-bv"]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM people_employee WHERE tenant_id = %s", [other.pk])
            assert cursor.fetchone()[0] == 0
    finally:
        widen()
    assert Employee.objects.filter(tenant=other).count() > 0


def test_narrowed_connection_cannot_write_into_another_company(demo):
    other = demo["other-nv"]
    narrow_to(demo["demo-bv"].pk)
    try:
        with pytest.raises(DatabaseError), transaction.atomic():
            Role.objects.create(tenant=other, name="Planted")
        updated = Employee.objects.filter(tenant=other).update(last_name="Hacked")
        assert updated == 0
    finally:
        widen()
    assert not Employee.objects.filter(last_name="Hacked").exists()


def test_a_request_leaves_the_connection_unnarrowed(demo, login):
    client = login("hr@demo-bv.test", "demo-bv")
    assert client.get("/people/", secure=True).status_code == 200
    assert Employee.objects.filter(tenant=demo["other-nv"]).count() > 0
