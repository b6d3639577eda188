"""`kluis flags list|show|on|off|clear`."""

from __future__ import annotations

import pytest
from flags.models import FlagState

from kluis.audit.models import OperatorEvent
from kluis.cli import main
from kluis.flags import enabled
from tests.conftest import member


def test_list_and_show_name_owner_expiry_and_rules(demo, capsys):
    assert main(["flags", "on", "sandboxes", "--company", "demo-bv"]) == 0
    assert "sandboxes: on for company demo-bv" in capsys.readouterr().out
    assert main(["flags", "list"]) == 0
    line = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("sandboxes"))
    assert line == "sandboxes\tdefault off\texpires 2027-06-30\ton for company demo-bv"
    assert main(["flags", "show", "sandboxes"]) == 0
    shown = capsys.readouterr().out
    assert "Owners may create sandbox companies" in shown
    assert "owner: operations" in shown


def test_on_and_off_for_each_kind_of_target(demo, capsys):
    owner = member("owner@demo-bv.test")
    for args in (
        ["--user", "owner@demo-bv.test"],
        ["--role", "owner"],
        ["--percent", "100"],
        ["--everyone"],
    ):
        assert main(["flags", "on", "sandboxes", *args]) == 0
        assert enabled("sandboxes", membership=owner)
        assert main(["flags", "off", "sandboxes", *args]) == 0
        assert not enabled("sandboxes", membership=owner)
        assert main(["flags", "clear", "sandboxes", *args]) == 0
    out = capsys.readouterr().out
    assert "sandboxes: off for 100% of companies" in out
    assert "sandboxes: on for role owner" in out
    assert not FlagState.objects.exists()
    assert OperatorEvent.objects.filter(action="flag.changed").count() == 12
    assert OperatorEvent.objects.filter(actor_label__startswith="kluis flags").count() == 12


def test_clear_without_target_removes_every_rule(demo, capsys):
    main(["flags", "on", "sandboxes", "--company", "demo-bv"])
    main(["flags", "off", "sandboxes", "--user", "owner@demo-bv.test"])
    assert main(["flags", "clear", "sandboxes"]) == 0
    assert "sandboxes: 2 rule(s) removed" in capsys.readouterr().out
    assert not FlagState.objects.exists()


def test_mistakes_are_one_line_and_change_nothing(demo, capsys):
    for args, message in (
        (["on", "nope", "--everyone"], "kluis: No feature flag named nope."),
        (["on", "sandboxes", "--company", "ghost"], "kluis: No company with slug ghost."),
        (["off", "sandboxes", "--percent", "150"], "kluis: A percentage is a whole number"),
        (["show", "nope"], "kluis: no feature flag named 'nope'"),
    ):
        assert main(["flags", *args]) != 0, args
        err = capsys.readouterr().err
        assert err.startswith(message), (args, err)
        assert "Traceback" not in err
    assert not FlagState.objects.exists()


def test_on_or_off_without_a_target_is_a_usage_error(demo, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["flags", "on", "sandboxes"])
    assert exit_.value.code == 2
    assert "one of the arguments --company --user --role --percent --everyone is required" in (
        capsys.readouterr().err
    )
    assert not FlagState.objects.exists()
