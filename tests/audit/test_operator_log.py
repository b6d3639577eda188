"""The operators' log: platform operators' actions on one hash chain, verified with the
companies' chains; and the operator's home page, closed to everyone else."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kluis.access.actor import Actor
from kluis.audit.models import OperatorEvent
from kluis.audit.platform import record_operator, verify_platform
from kluis.cli import main
from kluis.company.demo import OPERATOR_EMAIL
from kluis.identity.models import User


def _record(action: str) -> OperatorEvent:
    with transaction.atomic():
        return record_operator(
            Actor.system("test"), action, object_type="flag", object_id="x", changes={"on": 1}
        )


def test_events_chain_and_verify(demo):
    before = OperatorEvent.objects.count()
    first, second = _record("flag.changed"), _record("flag.changed")
    assert second.sequence == first.sequence + 1 == before + 2
    assert second.prev_hash == first.hash
    assert verify_platform() == (before + 2, "")


def test_the_database_refuses_to_change_an_event(demo):
    event = _record("flag.changed")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_operatorevent SET action = 'x' WHERE id = %s", [event.pk])


def test_verify_names_a_removed_or_altered_event(demo, capsys):
    _first, second, third = (_record(f"step.{n}") for n in range(3))
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_operatorevent WHERE id = %s", [second.pk])
    _count, problem = verify_platform()
    assert problem == (
        f"event #{second.sequence} is missing (removed); next is event #{third.sequence}"
        f" (id {third.pk}, step.2)"
    )
    assert main(["audit", "verify"]) == 1
    assert "operators' log: BROKEN at event" in capsys.readouterr().out


def test_audit_verify_reports_the_operators_log(demo, capsys):
    _record("flag.changed")
    assert main(["audit", "verify"]) == 0
    count = OperatorEvent.objects.count()
    assert f"operators' log: OK, {count} events" in capsys.readouterr().out.splitlines()


def test_operator_create_and_remove_from_the_command_line(demo, capsys):
    assert main(["operator", "create", "--email", "Ops@Example.test"]) == 0
    user = User.objects.get(email="ops@example.test")
    assert user.is_staff and not user.has_usable_password()
    assert "ops@example.test is made an operator" in capsys.readouterr().out
    assert main(["operator", "remove", "--email", "ops@example.test"]) == 0
    assert not User.objects.get(email="ops@example.test").is_staff
    assert main(["operator", "remove", "--email", "ops@example.test"]) == 1
    assert "is not an operator" in capsys.readouterr().err
    actions = list(OperatorEvent.objects.order_by("-sequence").values_list("action", flat=True)[:2])
    assert actions == ["operator.revoked", "operator.granted"]


def test_the_operator_page_is_for_operators_only(demo, client, login):
    assert client.get("/operator/").status_code == 302  # anonymous: to the sign-in page
    login("owner@demo-bv.test")
    assert client.get("/operator/").status_code == 404
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    _record("status.incident_opened")
    page = client.get("/operator/")
    assert page.status_code == 200
    assert b"status.incident_opened" in page.content
    assert b'data-testid="operator-menu"' in page.content


def test_an_operator_without_a_second_factor_is_sent_to_set_one_up(demo, client, settings):
    settings.OPERATOR_MFA_REQUIRED = True
    client.force_login(User.objects.get(email=OPERATOR_EMAIL))
    page = client.get("/operator/")
    assert page.status_code == 403
    assert b'data-testid="operator-mfa-required"' in page.content
    assert b"operator-menu" not in page.content
