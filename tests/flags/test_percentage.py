"""The percentage rollout: a pure function of flag and company, stable and fair."""

from __future__ import annotations

from kluis.flags.conditions import bucket, in_percentage


def test_a_company_keeps_its_place_in_a_rollout() -> None:
    assert [bucket("sandboxes", n) for n in range(50)] == [
        bucket("sandboxes", n) for n in range(50)
    ]
    assert all(0 <= bucket("sandboxes", n) < 100 for n in range(1000))


def test_roughly_the_asked_share_of_1000_companies_is_in() -> None:
    for percent in (0, 10, 25, 50, 90, 100):
        share = sum(in_percentage("sandboxes", n, percent) for n in range(1, 1001))
        assert abs(share - percent * 10) <= 40, (percent, share)


def test_raising_the_percentage_only_adds_companies() -> None:
    at_10 = {n for n in range(1, 1001) if in_percentage("sandboxes", n, 10)}
    at_30 = {n for n in range(1, 1001) if in_percentage("sandboxes", n, 30)}
    assert at_10 < at_30


def test_flags_pick_different_companies() -> None:
    one = {n for n in range(1, 1001) if in_percentage("flag_one", n, 20)}
    two = {n for n in range(1, 1001) if in_percentage("flag_two", n, 20)}
    assert one != two
    assert len(one & two) < 100  # independent: about 4% of companies are in both


def test_no_company_means_not_in_the_rollout() -> None:
    assert not in_percentage("sandboxes", None, 100)
