"""`enabled()` per company, user, role, percentage and for everyone, and which rule wins."""

from __future__ import annotations

import pytest

from kluis.access.actor import Actor
from kluis.flags import UnknownFlag, enabled
from kluis.flags.conditions import in_percentage
from kluis.flags.services import set_rule, target_for
from kluis.tenancy.models import Tenant
from tests.conftest import member

SYSTEM = Actor.system("tests")
OWNER, HR, EMPLOYEE = "owner@demo-bv.test", "hr@demo-bv.test", "member1@demo-bv.test"
OTHER_OWNER = "owner@other-nv.test"


def on(name: str, **target: object) -> None:
    set_rule(SYSTEM, name, target_for(**target), on=True)  # type: ignore[arg-type]


def off(name: str, **target: object) -> None:
    set_rule(SYSTEM, name, target_for(**target), on=False)  # type: ignore[arg-type]


def is_on(name: str, email: str, slug: str | None = None) -> bool:
    return enabled(name, membership=member(email, slug))


def test_without_rules_a_flag_has_its_declared_default(demo, declare):
    declare("exp_off")
    declare("exp_on", default=True)
    assert not is_on("exp_off", OWNER)
    assert is_on("exp_on", OWNER)
    assert not enabled("sandboxes", tenant=demo["demo-bv"])


def test_per_company(demo, declare):
    declare("exp")
    on("exp", company="demo-bv")
    assert is_on("exp", OWNER) and is_on("exp", EMPLOYEE)
    assert enabled("exp", tenant=demo["demo-bv"])
    assert not is_on("exp", OTHER_OWNER)
    assert not enabled("exp", tenant=demo["other-nv"])


def test_per_user_in_every_company_they_belong_to(demo, declare):
    declare("exp")
    on("exp", user="consultant@kluis.test")
    assert is_on("exp", "consultant@kluis.test", "demo-bv")
    assert is_on("exp", "consultant@kluis.test", "other-nv")
    assert not is_on("exp", OWNER)


def test_per_role(demo, declare):
    declare("exp")
    on("exp", role="hr_admin")
    assert is_on("exp", HR)
    assert is_on("exp", "hr@other-nv.test")
    assert not is_on("exp", OWNER) and not is_on("exp", EMPLOYEE)
    # Known by the company and user alone (no membership at hand): the roles are looked up.
    hr = member(HR)
    assert enabled("exp", tenant=hr.tenant, user=hr.user)
    # An actor carries the membership.
    assert enabled("exp", actor=Actor.for_member(hr))


def test_per_percentage_of_companies(demo, declare):
    declare("exp")
    tenants = list(Tenant.objects.all())
    on("exp", percent=100)
    assert all(enabled("exp", tenant=t) for t in tenants)
    on("exp", percent=0)  # replaces the 100%
    assert not any(enabled("exp", tenant=t) for t in tenants)
    on("exp", percent=50)
    assert [enabled("exp", tenant=t) for t in tenants] == [
        in_percentage("exp", t.pk, 50) for t in tenants
    ]
    # No company (an operator's own request): not in any rollout.
    assert not enabled("exp", user=member(OWNER).user)


def test_global_on_and_off(demo, declare):
    declare("exp")
    on("exp", everyone=True)
    assert is_on("exp", OWNER) and is_on("exp", OTHER_OWNER)
    off("exp", everyone=True)
    assert not is_on("exp", OWNER) and not is_on("exp", OTHER_OWNER)
    declare("exp_default_on", default=True)
    off("exp_default_on", everyone=True)
    assert not is_on("exp_default_on", OWNER)


def test_an_off_for_company_or_user_beats_an_on_for_everyone_or_a_percentage(demo, declare):
    declare("exp")
    on("exp", everyone=True)
    off("exp", company="other-nv")
    off("exp", user=EMPLOYEE)
    assert is_on("exp", OWNER)
    assert not is_on("exp", EMPLOYEE)
    assert not is_on("exp", OTHER_OWNER)

    declare("exp2")
    on("exp2", percent=100)
    off("exp2", company="demo-bv")
    assert not is_on("exp2", OWNER)
    assert is_on("exp2", OTHER_OWNER)


def test_an_off_for_a_role_beats_an_on_for_the_company(demo, declare):
    declare("exp")
    on("exp", company="demo-bv")
    off("exp", role="employee")
    assert is_on("exp", OWNER)  # the owner holds no employee role
    assert not is_on("exp", HR)  # HR is an employee too
    assert not is_on("exp", EMPLOYEE)


def test_an_off_for_everyone_is_a_kill_switch(demo, declare):
    declare("exp")
    on("exp", company="demo-bv")
    on("exp", user=OWNER)
    off("exp", everyone=True)
    assert not is_on("exp", OWNER)


def test_a_default_on_flag_is_off_only_where_a_rule_says_so(demo, declare):
    declare("exp", default=True)
    off("exp", company="demo-bv")
    assert not is_on("exp", OWNER)
    assert is_on("exp", OTHER_OWNER)


def test_an_unknown_flag_name_is_an_error(demo):
    with pytest.raises(UnknownFlag, match="no_such_flag"):
        enabled("no_such_flag", tenant=demo["demo-bv"])


def test_an_unknown_flag_name_in_production_is_off_and_logged(demo, settings, caplog):
    settings.PRODUCTION = True
    assert enabled("no_such_flag", tenant=demo["demo-bv"]) is False
    assert "unknown feature flag checked: no_such_flag" in caplog.text
