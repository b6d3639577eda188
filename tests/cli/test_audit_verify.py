"""`kluis audit verify` proves each company's audit chain untouched, or names the break."""

from __future__ import annotations

import pytest

from kluis.audit.models import AuditEvent
from kluis.cli import main
from kluis.tenancy.models import Tenant
from tests.audit.tampering import alter_event, remove_event


def _nth_event(tenant: Tenant, index: int) -> AuditEvent:
    return AuditEvent.objects.filter(tenant=tenant).order_by("sequence")[index]


def test_intact_chains_verify_with_one_ok_line_per_company(demo, capsys):
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out.splitlines()
    for slug in ("demo-bv", "other-nv"):
        count = AuditEvent.objects.filter(tenant__slug=slug).count()
        assert f"{slug}: OK, {count} events" in out


def test_an_altered_event_is_named_and_exits_1(demo, capsys):
    victim = _nth_event(demo["demo-bv"], 5)
    alter_event(victim.pk, "x")
    assert main(["audit", "verify"]) == 1
    captured = capsys.readouterr()
    assert (
        f"demo-bv: BROKEN at event #{victim.sequence} (id {victim.pk}, x) "
        "was altered (hash mismatch)"
    ) in captured.out
    assert "other-nv: OK" in captured.out
    assert "kluis: the audit log of 1 of" in captured.err


def test_a_removed_event_is_named_and_exits_1(demo, capsys):
    victim = _nth_event(demo["demo-bv"], 3)
    remove_event(victim.pk)
    assert main(["audit", "verify"]) == 1
    assert f"demo-bv: BROKEN at event #{victim.sequence} is missing" in capsys.readouterr().out


def test_removing_the_newest_event_is_detected(demo, capsys):
    newest = AuditEvent.objects.filter(tenant=demo["other-nv"]).order_by("-sequence").first()
    assert newest is not None
    remove_event(newest.pk)
    assert main(["audit", "verify"]) == 1
    assert "other-nv: BROKEN: the chain ends at event" in capsys.readouterr().out


def test_one_company_can_be_verified_on_its_own(demo, capsys):
    victim = _nth_event(demo["demo-bv"], 1)
    alter_event(victim.pk, "x")
    assert main(["audit", "verify", "--tenant", "other-nv"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("other-nv: OK")
    assert "demo-bv" not in out


@pytest.mark.django_db
def test_an_unknown_company_is_an_error(capsys):
    assert main(["audit", "verify", "--tenant", "nope"]) == 1
    assert capsys.readouterr().err.strip() == "kluis: no company with slug 'nope'"
