"""Changing a flag: validated, one rule per target, audited in the operators' log and, for a
company's rule, in that company's audit log."""

from __future__ import annotations

import re

import pytest
from flags.models import FlagState

from kluis.access.actor import Actor
from kluis.audit.models import AuditEvent, OperatorEvent
from kluis.flags.services import FlagRuleError, clear_rules, set_rule, target_for

ACTOR = Actor.system("flag tests")


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"company": "no-such-company"}, "No company with slug no-such-company."),
        ({"user": "nobody@example.test"}, "No user with e-mail address nobody@example.test."),
        ({"role": "janitor"}, "No built-in role janitor"),
        ({"percent": 101}, "A percentage is a whole number from 0 to 100."),
        ({"percent": -1}, "A percentage is a whole number from 0 to 100."),
        ({"percent": "ten"}, "A percentage is a whole number from 0 to 100."),
        ({}, "Name exactly one of"),
        ({"company": "demo-bv", "everyone": True}, "Name exactly one of"),
    ],
)
def test_a_bad_target_is_refused(demo, target, message):
    with pytest.raises(FlagRuleError, match=re.escape(message)):
        target_for(**target)


def test_an_unknown_flag_is_refused_and_nothing_is_written(demo):
    with pytest.raises(FlagRuleError, match=re.escape("No feature flag named nope.")):
        set_rule(ACTOR, "nope", target_for(everyone=True), on=True)
    assert not FlagState.objects.exists()
    assert not OperatorEvent.objects.filter(action="flag.changed").exists()


def test_a_company_rule_is_audited_in_both_logs(demo):
    set_rule(ACTOR, "sandboxes", target_for(company="demo-bv"), on=True)
    op = OperatorEvent.objects.get(action="flag.changed")
    assert op.object_id == "sandboxes"
    assert op.object_repr == "sandboxes: company demo-bv"
    assert op.changes == {"rule": {"old": None, "new": "on"}}
    assert op.actor_label == "flag tests"
    company = AuditEvent.objects.for_tenant(demo["demo-bv"]).get(action="flag.changed")
    assert company.object_repr == "sandboxes: company demo-bv"
    assert company.changes == {"rule": {"old": None, "new": "on"}}
    assert not AuditEvent.objects.for_tenant(demo["other-nv"]).filter(action="flag.changed")


def test_a_rule_for_a_user_role_or_percentage_goes_to_the_operators_log_only(demo):
    set_rule(ACTOR, "sandboxes", target_for(user="owner@demo-bv.test"), on=True)
    set_rule(ACTOR, "sandboxes", target_for(role="owner"), on=False)
    set_rule(ACTOR, "sandboxes", target_for(percent=20), on=True)
    reprs = list(
        OperatorEvent.objects.filter(action="flag.changed")
        .order_by("sequence")
        .values_list("object_repr", "changes")
    )
    assert reprs == [
        ("sandboxes: user owner@demo-bv.test", {"rule": {"old": None, "new": "on"}}),
        ("sandboxes: role owner", {"rule": {"old": None, "new": "off"}}),
        ("sandboxes: 20% of companies", {"rule": {"old": None, "new": "on 20%"}}),
    ]
    assert not AuditEvent.objects.filter(action="flag.changed").exists()


def test_a_target_has_one_rule_and_repeating_it_changes_nothing(demo):
    target = target_for(company="demo-bv")
    assert set_rule(ACTOR, "sandboxes", target, on=True)
    assert not set_rule(ACTOR, "sandboxes", target, on=True)
    assert set_rule(ACTOR, "sandboxes", target, on=False)
    assert FlagState.objects.filter(name="sandboxes").count() == 1
    set_rule(ACTOR, "sandboxes", target_for(percent=10), on=True)
    set_rule(ACTOR, "sandboxes", target_for(percent=30), on=True)
    assert FlagState.objects.filter(name="sandboxes").count() == 2
    changes = list(
        OperatorEvent.objects.filter(action="flag.changed")
        .order_by("sequence")
        .values_list("changes", flat=True)
    )
    assert changes == [
        {"rule": {"old": None, "new": "on"}},
        {"rule": {"old": "on", "new": "off"}},
        {"rule": {"old": None, "new": "on 10%"}},
        {"rule": {"old": "on 10%", "new": "on 30%"}},
    ]


def test_clearing_removes_one_target_or_every_rule_each_audited(demo):
    set_rule(ACTOR, "sandboxes", target_for(company="demo-bv"), on=True)
    set_rule(ACTOR, "sandboxes", target_for(everyone=True), on=False)
    assert clear_rules(ACTOR, "sandboxes", target_for(company="other-nv")) == 0
    assert clear_rules(ACTOR, "sandboxes", target_for(company="demo-bv")) == 1
    cleared = AuditEvent.objects.for_tenant(demo["demo-bv"]).filter(action="flag.changed")
    assert [e.changes for e in cleared.order_by("sequence")][-1] == {
        "rule": {"old": "on", "new": None}
    }
    assert clear_rules(ACTOR, "sandboxes") == 1
    assert not FlagState.objects.filter(name="sandboxes").exists()
    assert OperatorEvent.objects.filter(action="flag.changed").count() == 4
