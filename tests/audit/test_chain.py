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


@pytest.mark.parametrize(
    "changes",
    [{}, {"sequence": 7, "tenant": 9}, {"note": '"sequence":1,"tenant":2}'}, {"x": "é\n\u2028"}],
)
def test_the_text_around_the_sequence_hashes_as_the_whole_event(changes):
    """The database hashes an event it numbers from the text before and after the
    sequence; that must be the hash `kluis audit verify` recomputes from the stored row."""
    import datetime as dt
    import hashlib

    from kluis.audit.chain import around_sequence, content_of, event_hash

    content = content_of(
        tenant_id=12,
        sequence=0,
        occurred_at=dt.datetime(2026, 12, 6, 10, 0, tzinfo=dt.UTC),
        actor_kind="user",
        actor_user_id=None,
        actor_label="hr@example.test",
        action="employee.updated",
        object_type="people.employee",
        object_id="4",
        object_repr="An Employee",
        changes=changes,
        ip=None,
        request_id="r",
    )
    before, after = around_sequence(content)
    for sequence in (1, 9, 10, 123456789):
        whole = event_hash("f" * 64, {**content, "sequence": sequence})
        text = f"{'f' * 64}\n{before}{sequence}{after}"
        assert hashlib.sha256(text.encode()).hexdigest() == whole


def test_appending_is_one_statement_and_the_database_moves_the_head(demo):
    from django.test.utils import CaptureQueriesContext

    from kluis.audit.models import AuditChainHead

    tenant = demo["demo-bv"]
    owner = actor_for("owner@demo-bv.test")
    head = AuditChainHead.objects.get(tenant=tenant)
    with CaptureQueriesContext(connection) as captured:
        event = record(owner, "test.read", tenant=tenant, changes={"fields": ["iban"]}, alone=True)
    assert len(captured.captured_queries) == 1, captured.captured_queries
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.sequence, stored.prev_hash, stored.hash) == (
        head.sequence + 1,
        head.hash,
        event.hash,
    )
    head.refresh_from_db()
    assert (head.sequence, head.hash) == (event.sequence, event.hash)
    assert verify_tenant(tenant).ok


def test_a_company_s_first_event_starts_its_chain(db):
    from kluis.access.actor import Actor
    from kluis.tenancy.models import Tenant

    tenant = Tenant.objects.create(name="New BV", slug="new-bv")
    with transaction.atomic():
        first = record(Actor.system("test", tenant), "company.created", tenant=tenant)
    second = record(Actor.system("test", tenant), "test.read", tenant=tenant, alone=True)
    assert (first.sequence, second.sequence) == (1, 2)
    assert second.prev_hash == first.hash
    assert verify_tenant(tenant).ok
