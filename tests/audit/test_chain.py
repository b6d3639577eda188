"""The audit log is append-only and hash-chained per company; tampering is detected."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kluis.access.models import Role
from kluis.audit.models import AppendOnlyError, AuditEvent
from kluis.audit.services import AuditOutsideTransactionError, record, verify_tenant
from kluis.company.services import create_role, grant_role
from tests.audit.tampering import alter_event, remove_event
from tests.conftest import actor_for, member


def test_intact_chain_verifies(demo):
    for tenant in demo.values():
        report = verify_tenant(tenant)
        assert report.ok, report.problem
        assert report.events > 10


def test_each_company_has_its_own_chain_starting_at_one(demo):
    for tenant in demo.values():
        sequences = list(
            AuditEvent.objects.filter(tenant=tenant)
            .order_by("sequence")
            .values_list("sequence", flat=True)
        )
        assert sequences == list(range(1, len(sequences) + 1))


def test_altering_a_row_with_raw_sql_breaks_verify_at_that_event(demo):
    tenant = demo["demo-bv"]
    victim = AuditEvent.objects.filter(tenant=tenant).order_by("sequence")[5]
    alter_event(victim.pk, "role.revoked")
    report = verify_tenant(tenant)
    assert not report.ok
    assert f"event #{victim.sequence} " in report.problem
    assert "altered" in report.problem
    assert verify_tenant(demo["other-nv"]).ok


def test_removing_a_row_with_raw_sql_breaks_verify(demo):
    tenant = demo["demo-bv"]
    victim = AuditEvent.objects.filter(tenant=tenant).order_by("sequence")[3]
    remove_event(victim.pk)
    report = verify_tenant(tenant)
    assert not report.ok
    assert f"event #{victim.sequence} is missing" in report.problem


def test_removing_the_newest_row_breaks_verify(demo):
    tenant = demo["demo-bv"]
    newest = AuditEvent.objects.filter(tenant=tenant).order_by("-sequence").first()
    remove_event(newest.pk)
    report = verify_tenant(tenant)
    assert not report.ok
    assert "newest events were removed" in report.problem


def test_database_refuses_update_of_audit_rows(demo):
    event = AuditEvent.objects.filter(tenant=demo["demo-bv"]).first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [event.pk])


def test_orm_refuses_changing_or_deleting_audit_rows(demo):
    event = AuditEvent.objects.filter(tenant=demo["demo-bv"]).first()
    event.action = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_is_refused():
    from kluis.access.actor import Actor
    from kluis.company.services import create_tenant

    actor = Actor.system("test")
    tenant = create_tenant(actor, name="Solo BV", slug="solo-bv")
    with pytest.raises(AuditOutsideTransactionError):
        record(actor, "something.happened", tenant=tenant)


def test_failed_write_leaves_no_audit_row(demo):
    owner = actor_for("owner@demo-bv.test")
    before = AuditEvent.objects.count()
    roles_before = Role.objects.count()
    with pytest.raises(Exception):  # noqa: B017  (the duplicate name is refused)
        create_role(owner, demo["demo-bv"], name="Owner", grants={"audit.view": "company"})
    assert AuditEvent.objects.count() == before
    assert Role.objects.count() == roles_before


def test_failed_audit_write_leaves_no_change(demo):
    """If the audit row cannot be written, the change it describes is rolled back too."""
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    roles_before = Role.objects.filter(tenant=tenant).count()
    events_before = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION kluis_test_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'audit store down'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_auditevent "
                "FOR EACH ROW EXECUTE FUNCTION kluis_test_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_insert BEFORE INSERT ON audit_auditevent "
                "BEGIN SELECT RAISE(ABORT, 'audit store down'); END"
            )
    with pytest.raises(DatabaseError):
        create_role(owner, tenant, name="Payroll", grants={"people.view_salary": "company"})
    assert Role.objects.filter(tenant=tenant).count() == roles_before
    assert not Role.objects.filter(tenant=tenant, name="Payroll").exists()
    assert AuditEvent.objects.count() == events_before


def test_grant_is_audited_with_actor_and_role(demo):
    owner = actor_for("owner@demo-bv.test")
    tenant = demo["demo-bv"]
    role = create_role(owner, tenant, name="Payroll", grants={"people.view_salary": "company"})
    target = member("member1@demo-bv.test")
    grant_role(owner, target, role)
    event = AuditEvent.objects.filter(tenant=tenant, action="role.granted").first()
    assert event.actor_label == "owner@demo-bv.test"
    assert event.object_id == str(target.pk)
    assert event.changes == {"role": {"old": None, "new": "Payroll"}}
    assert verify_tenant(tenant).ok
