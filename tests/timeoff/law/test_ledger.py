"""The balance ledger's arithmetic, as worked examples (kluis.timeoff.law.ledger).

The Dutch example employee works 40 h a week: each year a statutory tranche of 160 h
(4 x 40, gone on 1 July of the next year) and an extra-statutory tranche of 40 h (gone 5
years after the year). Expiry dates: 2025-statutory 2026-07-01, 2026-statutory 2027-07-01,
2025-extra 2031-01-01, 2026-extra 2032-01-01: "oldest first" takes the tranche that expires
soonest, so 2026-statutory goes before 2025-extra.
"""

from datetime import date
from decimal import Decimal as D

import pytest

from kluis.timeoff.law.ledger import (
    OVERDRAWN,
    Entry,
    Kind,
    balance,
    capped_carry_over,
    due_expiries,
    explain,
    nl_statutory_extended,
    nl_tranches,
    tranches,
    unnotified_expiries,
)


def grant(
    hours: str,
    day: date,
    tranche: str = "",
    expires_on: date | None = None,
    *,
    id: int | None = None,
) -> Entry:
    return Entry(Kind.GRANT, D(hours), day, tranche, expires_on, id=id)


def use(hours: str, day: date, *, id: int | None = None, tranche: str = "") -> Entry:
    return Entry(Kind.USE, -D(hours), day, tranche, id=id)


def nl_year(year: int, statutory: str = "160", extra: str = "40") -> list[Entry]:
    (stat_key, stat_ends), (extra_key, extra_ends) = nl_tranches(year)
    return [
        grant(statutory, date(year, 1, 1), stat_key, stat_ends),
        grant(extra, date(year, 1, 1), extra_key, extra_ends),
    ]


# 2025: 200 h granted, 136 h used -> 2025-statutory 24 left (160 - 136), 2025-extra 40.
NL_2025 = [*nl_year(2025), use("136", date(2025, 8, 4), id=1)]
NL_2025_2026 = NL_2025 + nl_year(2026)


def left(*, s25: int, s26: int, e25: int, e26: int) -> dict[str, D]:
    """What is left of the four Dutch tranches of 2025 and 2026."""
    return {
        "2025-statutory": D(s25),
        "2026-statutory": D(s26),
        "2025-extra": D(e25),
        "2026-extra": D(e26),
    }


def remaining(entries: list[Entry], as_of: date | None = None) -> dict[str, D]:
    return {t.key: t.remaining for t in tranches(entries, as_of)}


MONTH_ENDS = ((1, 31), (2, 28), (3, 31), (4, 30))
EXTEND_2025 = Entry(
    Kind.CORRECTION, D("0"), date(2026, 6, 20), "2025-statutory", nl_statutory_extended(2025)
)

TRANCHE_ROWS = [
    # (name, entries, as_of, remaining per tranche)  # how
    (
        "2025 alone: the use takes statutory first (expires 2026-07-01 before 2031)",
        NL_2025,
        None,
        {"2025-statutory": D("24"), "2025-extra": D("40")},  # 160 - 136; 40 untouched
    ),
    (
        "a 40 h use in March 2026: 24 from 2025-statutory, then 16 from 2026-statutory",
        [*NL_2025_2026, use("40", date(2026, 3, 9), id=2)],
        None,
        # 2026-statutory (2027-07-01) expires before 2025-extra (2031-01-01): FIFO by year
        # would leave 2025-extra at 24 and 2026-statutory at 160 instead.
        {
            "2025-statutory": D("0"),
            "2026-statutory": D("144"),  # 160 - 16
            "2025-extra": D("40"),
            "2026-extra": D("40"),
        },
    ),
    (
        "as of 2026-02-01 the March use is not there yet",
        [*NL_2025_2026, use("40", date(2026, 3, 9), id=2)],
        date(2026, 2, 1),
        left(s25=24, s26=160, e25=40, e26=40),
    ),
    (
        "a use after 1 July 2026 cannot take from 2025-statutory, though it was never expired",
        [*NL_2025_2026, use("16", date(2026, 7, 6))],
        None,
        left(s25=24, s26=144, e25=40, e26=40),
    ),
    (
        "the same use on 30 June 2026 still can",
        [*NL_2025_2026, use("16", date(2026, 6, 30))],
        None,
        left(s25=8, s26=160, e25=40, e26=40),
    ),
    (
        "400 h used in 2026: 24 + 160 (statutory, soonest first) + 40 (2025-extra) + 40 "
        "(2026-extra) = 264, the rest 136 overdrawn",
        [*NL_2025_2026, use("400", date(2026, 3, 9))],
        None,
        {
            "2025-statutory": D("0"),
            "2026-statutory": D("0"),
            "2025-extra": D("0"),
            "2026-extra": D("0"),
            OVERDRAWN: D("-136"),
        },
    ),
    (
        "a use aimed at 2025-extra takes from it first",
        [*NL_2025_2026, use("8", date(2026, 3, 9), tranche="2025-extra")],
        None,
        left(s25=24, s26=160, e25=32, e26=40),
    ),
    (
        "a sick day given back (reverses use 2): back to 2026-statutory, the last pot it took",
        [
            *NL_2025_2026,
            use("40", date(2026, 3, 9), id=2),
            Entry(Kind.SICK_RETURN, D("8"), date(2026, 3, 10), reverses=2),
        ],
        None,
        left(s25=0, s26=152, e25=40, e26=40),
    ),
    (
        "a whole cancellation (reverses use 2) restores both pots",
        [
            *NL_2025_2026,
            use("40", date(2026, 3, 9), id=2),
            Entry(Kind.CANCELLATION, D("40"), date(2026, 3, 9), reverses=2),
        ],
        None,
        left(s25=24, s26=160, e25=40, e26=40),
    ),
    (
        "a sick day given back without naming its use: to the open pot expiring soonest",
        [
            *NL_2025_2026,
            use("40", date(2026, 3, 9), id=2),
            Entry(Kind.SICK_RETURN, D("8"), date(2026, 3, 10)),
        ],
        None,
        left(s25=8, s26=144, e25=40, e26=40),
    ),
    (
        "a negative correction naming 2026-extra cuts it",
        [*NL_2025_2026, Entry(Kind.CORRECTION, D("-8"), date(2026, 2, 2), "2026-extra")],
        None,
        left(s25=24, s26=160, e25=40, e26=32),
    ),
    (
        "a negative correction naming nothing cuts the newest pot (2026-extra, credited last)",
        [*NL_2025_2026, Entry(Kind.CORRECTION, D("-4"), date(2026, 2, 2))],
        None,
        left(s25=24, s26=160, e25=40, e26=36),
    ),
    (
        "accrual: 8 h used on 15 January before any accrual is overdrawn, "
        "as of 31 March three accruals of 2 h paid 6 of it",
        [
            use("8", date(2026, 1, 15)),
            *[Entry(Kind.ACCRUAL, D("2"), date(2026, m, d)) for m, d in MONTH_ENDS],
        ],
        date(2026, 3, 31),
        {"2026": D("0"), OVERDRAWN: D("-2")},  # credited 6, used 6; 8 - 6 still owed
    ),
    (
        "... and by 30 April the fourth accrual paid the rest",
        [
            use("8", date(2026, 1, 15)),
            *[Entry(Kind.ACCRUAL, D("2"), date(2026, m, d)) for m, d in MONTH_ENDS],
        ],
        None,
        {"2026": D("0")},
    ),
    (
        "statutory leave that could not be taken, extended (a 0 h correction moving the date): "
        "a use after 1 July 2026 now reaches it, after 2026-statutory (expires sooner)",
        [*NL_2025_2026, EXTEND_2025, use("170", date(2026, 7, 6))],
        None,
        # 160 from 2026-statutory (2027-07-01), then 10 from 2025-statutory (2031-01-01,
        # the same date as 2025-extra, credited earlier on 2025-01-01 as well: tie kept in
        # the order given)
        left(s25=14, s26=0, e25=40, e26=40),
    ),
    (
        "an expiry written for 2025-statutory removes its remainder",
        [*NL_2025_2026, Entry(Kind.EXPIRY, D("-24"), date(2026, 7, 1), "2025-statutory")],
        None,
        left(s25=0, s26=160, e25=40, e26=40),
    ),
]


@pytest.mark.parametrize(
    ("name", "entries", "as_of", "expected"), TRANCHE_ROWS, ids=[r[0][:40] for r in TRANCHE_ROWS]
)
def test_tranches(
    name: str, entries: list[Entry], as_of: date | None, expected: dict[str, D]
) -> None:
    assert remaining(entries, as_of) == expected
    # The tranches always add up to the ledger's total.
    total = sum((e.hours for e in entries if as_of is None or e.effective <= as_of), D(0))
    assert sum(expected.values(), D(0)) == total


def test_tranches_come_soonest_expiry_first_and_keep_their_parts() -> None:
    pots = tranches([*NL_2025_2026, use("40", date(2026, 3, 9))])
    assert [(t.key, t.expires_on) for t in pots] == [
        ("2025-statutory", date(2026, 7, 1)),
        ("2026-statutory", date(2027, 7, 1)),
        ("2025-extra", date(2031, 1, 1)),
        ("2026-extra", date(2032, 1, 1)),
    ]
    assert (pots[0].credited, pots[0].used, pots[0].expired) == (D("160"), D("160"), D("0"))
    assert (pots[1].credited, pots[1].used) == (D("160"), D("16"))


# A 2026 with leave taken and planned: 2025 brings forward 200 granted - 120 used = 80 h
# (40 of 2025-statutory, 40 of 2025-extra).
YEAR_2026 = [
    *nl_year(2025),
    use("120", date(2025, 9, 1)),  # 2025-statutory 40 left
    *nl_year(2026),
    use("16", date(2026, 3, 9)),  # taken: 2025-statutory 24 left
    use("8", date(2026, 6, 15)),  # planned: 2025-statutory 16 left at 1 July
    use("40", date(2026, 8, 3)),  # planned: after 1 July, from 2026-statutory
]

BALANCE_ROWS = [
    # (as_of, warn_days, entitled, taken, planned, remaining, expiring, brought forward)
    # 15 May 2026: entitled 160 + 40; taken 16; planned 8 + 40; remaining 400 - 120 - 64
    # = 216 = 80 + 200 - 16 - 48; 2025-statutory's 16 h go on 1 July (within 90 days).
    (date(2026, 5, 15), 90, "200", "16", "48", "216", ((date(2026, 7, 1), D("16")),), "80"),
    # ... warned 30 days ahead only: 1 July is 47 days away, nothing yet.
    (date(2026, 5, 15), 30, "200", "16", "48", "216", (), "80"),
    # 20 June: the 15 June use is taken now (16 + 8), 40 planned.
    (date(2026, 6, 20), 90, "200", "24", "40", "216", ((date(2026, 7, 1), D("16")),), "80"),
    # 1 July: the 16 h are due, no longer "expiring" (the expiry is written separately).
    (date(2026, 7, 1), 90, "200", "24", "40", "216", (), "80"),
    # 31 December 2025: 2025's 200 entitled, 120 taken, all of 2026 planned (64);
    # 2025-statutory's 40 - 24 planned = 16 expire beyond the 90 days -> not listed.
    (date(2025, 12, 31), 90, "200", "120", "64", "216", (), "0"),
]


@pytest.mark.parametrize(
    ("as_of", "warn", "entitled", "taken", "planned", "left", "expiring", "forward"), BALANCE_ROWS
)
def test_balance(
    as_of: date,
    warn: int,
    entitled: str,
    taken: str,
    planned: str,
    left: str,
    expiring: tuple[tuple[date, D], ...],
    forward: str,
) -> None:
    seen = balance(YEAR_2026, as_of, warn_days=warn)
    assert (seen.entitled, seen.taken, seen.planned, seen.remaining) == (
        D(entitled),
        D(taken),
        D(planned),
        D(left),
    )
    assert seen.expiring == expiring
    assert seen.brought_forward == D(forward)


def test_balance_after_the_expiry_is_written() -> None:
    # 15 July 2026 with the expiry of 2025-statutory's 16 h written: expired 16, remaining
    # 216 - 16 = 200 = 80 + 200 - 24 - 40 - 16.
    [expiry] = due_expiries(YEAR_2026, date(2026, 7, 1), notified={"2025-statutory"})
    seen = balance([*YEAR_2026, expiry], date(2026, 7, 15))
    assert (seen.taken, seen.planned, seen.expired, seen.remaining) == (
        D("24"),
        D("40"),
        D("16"),
        D("200"),
    )
    assert (
        seen.brought_forward + seen.entitled - seen.taken - seen.planned - seen.expired
        == seen.remaining
    )


def test_give_backs_count_against_taken_and_planned() -> None:
    entries = [
        grant("200", date(2026, 1, 1)),
        use("40", date(2026, 3, 9), id=5),
        Entry(Kind.SICK_RETURN, D("16"), date(2026, 3, 10), reverses=5),  # 2 sick days
        use("24", date(2026, 9, 7), id=6),
        Entry(Kind.CANCELLATION, D("24"), date(2026, 9, 7), reverses=6),  # cancelled
    ]
    seen = balance(entries, date(2026, 5, 1))
    # entitled 200; taken 40 - 16 = 24; planned 24 - 24 = 0; remaining 200 - 24
    assert (seen.entitled, seen.taken, seen.planned, seen.remaining) == (
        D("200"),
        D("24"),
        D("0"),
        D("176"),
    )


def test_a_cancelled_overdraft_clears_the_debt_first() -> None:
    entries = [grant("8", date(2026, 1, 1)), use("16", date(2026, 2, 2), id=1)]
    # 8 from "2026", 8 overdrawn.
    assert {t.key: t.remaining for t in tranches(entries)} == {"2026": D("0"), OVERDRAWN: D("-8")}
    # Half of it cancelled: the 8 overdrawn hours go first, "2026" stays used up.
    half = [*entries, Entry(Kind.CANCELLATION, D("8"), date(2026, 2, 2), reverses=1)]
    assert {t.key: t.remaining for t in tranches(half)} == {"2026": D("0")}
    # All of it: "2026" is whole again.
    whole = [*entries, Entry(Kind.CANCELLATION, D("16"), date(2026, 2, 2), reverses=1)]
    assert {t.key: t.remaining for t in tranches(whole)} == {"2026": D("8")}


# --- Expiry needs a notice --------------------------------------------------------------

EXPIRY_ROWS = [
    # (on, notified, due (tranche, hours, date), unnotified)  # how
    # 30 June 2026: nothing has expired yet.
    (date(2026, 6, 30), {"2025-statutory"}, [], []),
    # 1 July: 2025-statutory's 16 h are due, the notice was recorded -> one expiry of -16.
    (date(2026, 7, 1), {"2025-statutory"}, [("2025-statutory", D("-16"), date(2026, 7, 1))], []),
    # 1 July without a notice: refused, reported as not notified instead.
    (date(2026, 7, 1), set(), [], ["2025-statutory"]),
    # A notice for another tranche does not count.
    (date(2026, 7, 1), {"2026-statutory"}, [], ["2025-statutory"]),
    # 1 July 2027 with every notice: 2026-statutory's 160 - 40 (August use) = 120 go too,
    # each dated its own expiry date.
    (
        date(2027, 7, 1),
        {"2025-statutory", "2026-statutory"},
        [
            ("2025-statutory", D("-16"), date(2026, 7, 1)),
            ("2026-statutory", D("-120"), date(2027, 7, 1)),
        ],
        [],
    ),
]


@pytest.mark.parametrize(("on", "notified", "due", "unnotified"), EXPIRY_ROWS)
def test_due_expiries(
    on: date, notified: set[str], due: list[tuple[str, D, date]], unnotified: list[str]
) -> None:
    written = due_expiries(YEAR_2026, on, notified=notified)
    assert [(e.tranche, e.hours, e.effective) for e in written] == due
    assert all(e.kind == Kind.EXPIRY for e in written)
    assert [t.key for t in unnotified_expiries(YEAR_2026, on, notified=notified)] == unnotified


def test_due_expiries_are_written_once() -> None:
    written = due_expiries(YEAR_2026, date(2026, 7, 1), notified={"2025-statutory"})
    assert due_expiries([*YEAR_2026, *written], date(2026, 7, 2), notified={"2025-statutory"}) == []
    # A sick day given back into the expired tranche (the 15 June use, id 9) is due again.
    later = [
        *[
            e if e.effective != date(2026, 6, 15) else use("8", e.effective, id=9)
            for e in YEAR_2026
        ],
        *written,
        Entry(Kind.SICK_RETURN, D("8"), date(2026, 6, 15), reverses=9),
    ]
    [again] = due_expiries(later, date(2026, 7, 20), notified={"2025-statutory"})
    assert (again.tranche, again.hours) == ("2025-statutory", D("-8"))


# --- A company's capped carry-over (Belgian extra-legal days) -----------------------------

# 5 extra-legal days of 8 h for 2025, gone on 1 January 2026 unless carried over; 8 h used.
EXTRA_LEGAL_2025 = [
    grant("40", date(2025, 1, 1), "2025-extra-legal", date(2026, 1, 1)),
    use("8", date(2025, 5, 2)),
]
EXTRA_LEGAL_2026 = grant("40", date(2026, 1, 1), "2026-extra-legal", date(2027, 1, 1))

CARRY_ROWS = [
    # (cap, until, moved to, lapsed)  # how
    (D("16"), date(2026, 4, 1), date(2026, 4, 1), D("-16")),  # 32 left, 16 stay, 16 lapse
    (D("40"), date(2026, 4, 1), date(2026, 4, 1), None),  # the cap is above the 32 left
    (None, None, None, None),  # all 32 stay without end (the tranche loses its date)
    (D("0"), date(2026, 4, 1), date(2026, 4, 1), D("-32")),  # nothing may stay
]


@pytest.mark.parametrize(("cap", "until", "moved_to", "lapsed"), CARRY_ROWS)
def test_capped_carry_over(
    cap: D | None, until: date | None, moved_to: date | None, lapsed: D | None
) -> None:
    written = capped_carry_over(
        EXTRA_LEGAL_2025, "2025-extra-legal", date(2026, 1, 1), cap=cap, until=until
    )
    assert [e.kind for e in written] == [Kind.CORRECTION] + ([Kind.EXPIRY] if lapsed else [])
    assert written[0].hours == 0
    if lapsed is not None:
        assert (written[1].hours, written[1].effective) == (lapsed, date(2026, 1, 1))
    [pot] = [t for t in tranches([*EXTRA_LEGAL_2025, *written]) if t.key == "2025-extra-legal"]
    assert pot.expires_on == moved_to
    assert pot.remaining == D("32") + (lapsed or 0)


def test_carried_hours_are_used_first_and_warned_about() -> None:
    carried = capped_carry_over(
        EXTRA_LEGAL_2025, "2025-extra-legal", date(2026, 1, 1), cap=D("16"), until=date(2026, 4, 1)
    )
    entries = [*EXTRA_LEGAL_2025, *carried, EXTRA_LEGAL_2026]
    # 15 January 2026: 32 brought forward, 40 entitled, 16 lapsed: 32 + 40 - 16 = 56 left;
    # the 16 carried hours go on 1 April (76 days away).
    seen = balance(entries, date(2026, 1, 15))
    assert (seen.brought_forward, seen.entitled, seen.expired, seen.remaining) == (
        D("32"),
        D("40"),
        D("16"),
        D("56"),
    )
    assert seen.expiring == ((date(2026, 4, 1), D("16")),)
    # A 24 h use in February takes the 16 carried hours first (they expire first), then 8.
    with_use = [*entries, use("24", date(2026, 2, 2))]
    assert {t.key: t.remaining for t in tranches(with_use)} == {
        "2025-extra-legal": D("0"),
        "2026-extra-legal": D("32"),
    }
    assert balance(with_use, date(2026, 1, 15)).expiring == ()
    # Nothing left to carry: nothing to write.
    assert (
        capped_carry_over(with_use, "2025-extra-legal", date(2026, 4, 1), cap=None, until=None)
        == []
    )


# --- Explain line by line ----------------------------------------------------------------


def test_explain_gives_the_running_total_in_order() -> None:
    entries = [
        use("8", date(2026, 3, 2), id=3),  # given first, dated later
        grant("160", date(2026, 1, 1), "2026-statutory", id=1),
        Entry(Kind.SICK_RETURN, D("8"), date(2026, 3, 2), reverses=3, id=4),
        use("8", date(2026, 3, 2), id=2),
        use("8", date(2026, 9, 1), id=5),
    ]
    lines = explain(entries, date(2026, 6, 1))
    # grant 160; on 2 March the uses (in the order given) then the give-back: 152, 144, 152;
    # the September use is after the date asked.
    assert [(e.id, total) for e, total in lines] == [
        (1, D("160")),
        (3, D("152")),
        (2, D("144")),
        (4, D("152")),
    ]


# --- Rules as data and refusals --------------------------------------------------------


def test_dutch_tranche_dates() -> None:
    assert nl_tranches(2026) == (
        ("2026-statutory", date(2027, 7, 1)),
        ("2026-extra", date(2032, 1, 1)),
    )
    assert nl_statutory_extended(2026) == date(2032, 1, 1)


@pytest.mark.parametrize(
    ("kind", "hours", "tranche", "message"),
    [
        (Kind.USE, "8", "", "negative"),  # a use debits
        (Kind.GRANT, "-8", "", "positive"),  # a grant credits
        (Kind.SICK_RETURN, "-8", "", "positive"),
        (Kind.EXPIRY, "-8", "", "names the tranche"),
        (Kind.CORRECTION, "8", OVERDRAWN, "not a tranche"),
    ],
)
def test_entry_refuses_wrong_signs(kind: Kind, hours: str, tranche: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Entry(kind, D(hours), date(2026, 1, 1), tranche)
