"""No flag outlives its expiry date: past it, this test fails, naming the flag and its owner.

Remove the flag (and the code it guards' old branch), or renew it in
kluis/flags/catalogue.py with a new date and a reason in the commit."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from kluis.flags.registry import declared, expired


def expiry_failures(today: date) -> list[str]:
    return [
        f"feature flag {d.name!r} (owner: {d.owner}) expired on {d.expires.isoformat()}"
        for d in expired(today)
    ]


def test_no_declared_flag_is_past_its_expiry() -> None:
    assert [d.name for d in declared()], "no flags are declared: the catalogue was not loaded"
    failures = expiry_failures(timezone.localdate())
    assert failures == [], "\n".join(failures)


def test_an_expired_flag_is_named_with_its_owner(declare) -> None:
    declare("old_experiment", expires=date(2020, 1, 31))
    assert expiry_failures(timezone.localdate()) == [
        "feature flag 'old_experiment' (owner: tests) expired on 2020-01-31"
    ]


def test_the_sandboxes_flag_is_declared_off_by_default() -> None:
    (sandboxes,) = [d for d in declared() if d.name == "sandboxes"]
    assert (sandboxes.owner, sandboxes.expires, sandboxes.default) == (
        "operations",
        date(2027, 6, 30),
        False,
    )
