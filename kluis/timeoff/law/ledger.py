"""The balance ledger's arithmetic: a balance is the sum of its entries, never a counter.

Every grant, accrual, use, carry-over, expiry and correction is an `Entry` in hours (credits
positive, debits negative). Credits land in tranches ("pots", e.g. "2026-statutory" and
"2026-extra") that may expire; uses are allocated to the tranche that expires soonest,
among those still open on the day of the use, so no hour is lost to expiry that could have
been used ("oldest first": the oldest days are the ones that expire first). The same
entries give the balance as of any date, the tranches, the expiries due and a line-by-line
explanation (docs/leave-law.md).

Processing order: entries by effective date; on one date credits first, then negative
corrections, uses, give-backs (sick returns, cancellations) and expiries last.
"""

from __future__ import annotations

from collections.abc import Container, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

__all__ = [
    "NO_END",
    "OVERDRAWN",
    "Balance",
    "Entry",
    "Kind",
    "Tranche",
    "balance",
    "capped_carry_over",
    "due_expiries",
    "explain",
    "nl_statutory_extended",
    "nl_tranches",
    "tranches",
    "unnotified_expiries",
]

ZERO = Decimal("0")
NO_END = date.max  # an `expires_on` that clears a tranche's expiry date


class Kind(StrEnum):
    GRANT = "grant"
    ACCRUAL = "accrual"
    USE = "use"
    CARRY_OVER = "carry_over"
    EXPIRY = "expiry"
    CORRECTION = "correction"
    SICK_RETURN = "sick_return"
    CANCELLATION = "cancellation"


# Kinds that only credit (hours >= 0), only debit (hours <= 0), and give leave back.
CREDIT_KINDS = frozenset(
    {Kind.GRANT, Kind.ACCRUAL, Kind.CARRY_OVER, Kind.SICK_RETURN, Kind.CANCELLATION}
)
DEBIT_KINDS = frozenset({Kind.USE, Kind.EXPIRY})
RETURN_KINDS = frozenset({Kind.SICK_RETURN, Kind.CANCELLATION})
OVERDRAWN = "overdrawn"  # the pseudo-tranche of hours used beyond all credits


@dataclass(frozen=True)
class Entry:
    """One ledger line. `hours` is signed: credits (grant, accrual, carry-over, sick return,
    cancellation) positive, debits (use, expiry) negative, corrections either.

    `tranche` names the pot a credit belongs to (empty: the year of `effective`, e.g.
    "2026"); a debit leaves it empty unless it aims at one pot (an expiry always names
    its pot). `expires_on` (credits) is the first day the pot's remainder is gone; a
    later entry naming the pot with another `expires_on` moves the date (a 0-hour
    correction extends statutory leave that could not be taken, `nl_statutory_extended`;
    `NO_END` clears it). `reverses` (sick returns and cancellations) is the `id` of the
    use it gives back: the hours return to the pots that use took them from. `effective`
    of a give-back is the day of the leave it gives back.
    """

    kind: Kind
    hours: Decimal
    effective: date
    tranche: str = ""
    expires_on: date | None = None
    id: int | None = None
    note: str = ""
    reverses: int | None = None

    def __post_init__(self) -> None:
        if self.kind in CREDIT_KINDS and self.hours < 0:
            raise ValueError(f"a {self.kind} entry credits hours: positive, not {self.hours}")
        if self.kind in DEBIT_KINDS and self.hours > 0:
            raise ValueError(f"a {self.kind} entry debits hours: negative, not {self.hours}")
        if self.kind == Kind.EXPIRY and not self.tranche:
            raise ValueError("an expiry names the tranche that expires")
        if self.tranche == OVERDRAWN:
            raise ValueError(f"{OVERDRAWN!r} is not a tranche an entry can name")


@dataclass(frozen=True)
class Tranche:
    key: str
    credited: Decimal
    used: Decimal
    expired: Decimal
    expires_on: date | None

    @property
    def remaining(self) -> Decimal:
        return self.credited - self.used - self.expired


@dataclass(frozen=True)
class Balance:
    """A balance as of a day. `entitled`, `taken`, `brought_forward` and `expired` are of
    the calendar year of `as_of`; `planned` is every use after `as_of`; `remaining` is the
    sum of all entries (what is left once planned leave is taken). Without entries dated
    after the year other than planned uses:
    remaining = brought_forward + entitled - taken - planned - expired."""

    as_of: date
    entitled: Decimal
    taken: Decimal
    planned: Decimal
    remaining: Decimal
    expiring: tuple[tuple[date, Decimal], ...]
    tranches: tuple[Tranche, ...]
    brought_forward: Decimal = ZERO
    expired: Decimal = ZERO


@dataclass
class _Pot:
    key: str
    order: int
    first_credit: date
    last_credit: date
    credited: Decimal = ZERO
    used: Decimal = ZERO
    expired: Decimal = ZERO
    expires_on: date | None = None

    @property
    def remaining(self) -> Decimal:
        return self.credited - self.used - self.expired

    def open_on(self, day: date) -> bool:
        return self.expires_on is None or day < self.expires_on

    def oldest_first(self) -> tuple[bool, date, date, int]:
        return (self.expires_on is None, self.expires_on or date.max, self.first_credit, self.order)

    def frozen(self) -> Tranche:
        return Tranche(self.key, self.credited, self.used, self.expired, self.expires_on)


def _move_expiry(pot: _Pot, entry: Entry) -> None:
    """A credit or correction that states an expiry date sets the pot's (NO_END clears it)."""
    if entry.expires_on is not None:
        pot.expires_on = None if entry.expires_on == NO_END else entry.expires_on


@dataclass
class _Debt:
    use: int | None  # the position of the use that overdrew, None for a correction
    hours: Decimal


@dataclass
class _Ledger:
    pots: dict[str, _Pot] = field(default_factory=dict)
    debt: list[_Debt] = field(default_factory=list)  # oldest first
    taken_by: dict[int, dict[str, Decimal]] = field(default_factory=dict)  # use -> pot -> h
    position_of: dict[int, int] = field(default_factory=dict)  # entry id -> use position

    @property
    def owed(self) -> Decimal:
        return sum((piece.hours for piece in self.debt), ZERO)

    def pot(self, key: str, day: date) -> _Pot:
        if key not in self.pots:
            self.pots[key] = _Pot(key, len(self.pots), day, day)
        return self.pots[key]

    def open_pots(self, day: date) -> list[_Pot]:
        pots = [p for p in self.pots.values() if p.open_on(day) and p.remaining > 0]
        return sorted(pots, key=_Pot.oldest_first)

    def take(self, pot: _Pot, hours: Decimal, use: int | None) -> Decimal:
        """Take up to `hours` from `pot` for the use at position `use`; the rest."""
        taken = min(hours, max(pot.remaining, ZERO))
        if taken > 0:
            pot.used += taken
            if use is not None:
                mine = self.taken_by.setdefault(use, {})
                mine[pot.key] = mine.get(pot.key, ZERO) + taken
        return hours - taken

    def owe(self, hours: Decimal, use: int | None) -> None:
        if hours > 0:
            self.debt.append(_Debt(use, hours))
            if use is not None:
                mine = self.taken_by.setdefault(use, {})
                mine[OVERDRAWN] = mine.get(OVERDRAWN, ZERO) + hours

    def settle(self, pot: _Pot, up_to: Decimal, day: date) -> None:
        """New hours in `pot` first pay what was used beyond all credits, oldest first."""
        available = min(up_to, pot.remaining)
        while self.debt and available > 0 and pot.open_on(day):
            piece = self.debt[0]
            paid = min(piece.hours, available)
            pot.used += paid
            available -= paid
            if piece.use is not None:
                mine = self.taken_by[piece.use]
                mine[OVERDRAWN] -= paid
                mine[pot.key] = mine.get(pot.key, ZERO) + paid
            piece.hours -= paid
            if piece.hours == 0:
                self.debt.pop(0)

    def credit(self, entry: Entry) -> None:
        pot = self.pot(entry.tranche or str(entry.effective.year), entry.effective)
        _move_expiry(pot, entry)
        pot.last_credit = max(pot.last_credit, entry.effective)
        pot.credited += entry.hours
        self.settle(pot, entry.hours, entry.effective)

    def reduce(self, entry: Entry) -> None:
        """A negative correction: off the pot it names, else off the newest open pots."""
        hours = -entry.hours
        if entry.tranche:
            pots = [self.pot(entry.tranche, entry.effective)]
            _move_expiry(pots[0], entry)
        else:
            pots = sorted(
                self.open_pots(entry.effective),
                key=lambda p: (p.last_credit, p.order),
                reverse=True,
            )
        for pot in pots:
            cut = min(hours, max(pot.remaining, ZERO))
            pot.credited -= cut
            hours -= cut
        self.owe(hours, None)

    def use(self, entry: Entry, position: int) -> None:
        hours = -entry.hours
        if entry.id is not None:
            self.position_of[entry.id] = position
        self.taken_by.setdefault(position, {})
        if entry.tranche and entry.tranche in self.pots:
            named = self.pots[entry.tranche]
            if named.open_on(entry.effective):
                hours = self.take(named, hours, position)
        for pot in self.open_pots(entry.effective):
            if hours <= 0:
                break
            hours = self.take(pot, hours, position)
        self.owe(hours, position)

    def give_back(self, entry: Entry) -> None:
        """A sick return or cancellation: back where the use it reverses took from (debt
        first, then the pots in the reverse order they were taken), else to the pot it
        names, else to the open pot that expires soonest."""
        hours = entry.hours
        use = self.position_of.get(entry.reverses) if entry.reverses is not None else None
        if use is not None:
            mine = self.taken_by[use]
            if mine.get(OVERDRAWN, ZERO) > 0:
                for piece in [p for p in self.debt if p.use == use]:
                    back = min(piece.hours, hours)
                    piece.hours -= back
                    mine[OVERDRAWN] -= back
                    hours -= back
                self.debt = [p for p in self.debt if p.hours != 0]
            for key in reversed([k for k in mine if k != OVERDRAWN]):
                back = min(mine[key], hours)
                if back > 0:
                    pot = self.pots[key]
                    pot.used -= back
                    mine[key] -= back
                    hours -= back
                    self.settle(pot, back, entry.effective)
        if hours <= 0:
            return
        if entry.tranche:
            pot = self.pot(entry.tranche, entry.effective)
        else:
            candidates = sorted(
                (p for p in self.pots.values() if p.open_on(entry.effective)),
                key=_Pot.oldest_first,
            )
            if candidates:
                pot = candidates[0]
            else:
                pot = self.pot(str(entry.effective.year), entry.effective)
        back = min(hours, max(pot.used, ZERO))
        pot.used -= back
        pot.credited += hours - back
        self.settle(pot, hours, entry.effective)

    def expire(self, entry: Entry) -> None:
        self.pot(entry.tranche, entry.effective).expired += -entry.hours

    def result(self) -> list[Tranche]:
        out = [p.frozen() for p in sorted(self.pots.values(), key=_Pot.oldest_first)]
        owed = self.owed
        if owed > 0:
            out.append(Tranche(OVERDRAWN, ZERO, owed, ZERO, None))
        return out


def _step(entry: Entry) -> int:
    """The order of entries on one date."""
    if entry.kind == Kind.CORRECTION:
        return 0 if entry.hours >= 0 else 1
    if entry.kind == Kind.USE:
        return 2
    if entry.kind in RETURN_KINDS:
        return 3
    if entry.kind == Kind.EXPIRY:
        return 4
    return 0


def in_order(entries: Sequence[Entry], as_of: date | None = None) -> list[Entry]:
    """The entries effective on or before `as_of` (all without it) in processing order
    (by date; on one date credits, negative corrections, uses, give-backs, expiries; else
    in the order given)."""
    chosen = [
        (entry.effective, _step(entry), index, entry)
        for index, entry in enumerate(entries)
        if as_of is None or entry.effective <= as_of
    ]
    return [entry for *_key, entry in sorted(chosen, key=lambda row: row[:3])]


def _run(entries: Sequence[Entry], as_of: date | None = None) -> _Ledger:
    ledger = _Ledger()
    for position, entry in enumerate(in_order(entries, as_of)):
        if entry.kind == Kind.USE:
            ledger.use(entry, position)
        elif entry.kind == Kind.EXPIRY:
            ledger.expire(entry)
        elif entry.kind in RETURN_KINDS:
            ledger.give_back(entry)
        elif entry.kind == Kind.CORRECTION and entry.hours < 0:
            ledger.reduce(entry)
        else:
            ledger.credit(entry)
    return ledger


def tranches(entries: Sequence[Entry], as_of: date | None = None) -> list[Tranche]:
    """The pots after allocating the entries effective on or before `as_of` (all without
    it), soonest expiry first (pots without expiry last), then "overdrawn" if uses went
    beyond all credits.

    A use takes from the pot it names if open, then from the open pots (not expired on
    the use's date) soonest expiry first, ties by first credit; what no pot holds is
    overdrawn, and later credits pay it off first. A negative correction cuts the pot it
    names, else the newest open pots. A sick return or cancellation goes back where its
    use (`reverses`) took from, else to the pot it names, else to the open pot expiring
    soonest. An expiry removes hours from the pot it names.
    """
    return _run(entries, as_of).result()


def balance(entries: Sequence[Entry], as_of: date, *, warn_days: int = 90) -> Balance:
    """The balance as of `as_of` (see `Balance`). Give-backs count against `taken` or
    `planned` (a day given back was not taken); `expiring` lists, per date, the hours of
    pots whose remainder goes within `warn_days` after `as_of`, after planned leave has
    taken what it will."""
    year = as_of.year
    entitled = taken = planned = before = expired = ZERO
    for entry in entries:
        in_year = entry.effective.year == year
        if entry.effective.year < year:
            before += entry.hours
        if entry.kind == Kind.USE or entry.kind in RETURN_KINDS:
            if entry.effective > as_of:
                planned -= entry.hours
            elif in_year:
                taken -= entry.hours
        elif entry.kind == Kind.EXPIRY:
            if in_year:
                expired -= entry.hours
        elif in_year:
            entitled += entry.hours
    pots = tranches(entries)
    horizon = as_of + timedelta(days=warn_days)
    expiring: dict[date, Decimal] = {}
    for pot in pots:
        if pot.expires_on is not None and as_of < pot.expires_on <= horizon and pot.remaining > 0:
            expiring[pot.expires_on] = expiring.get(pot.expires_on, ZERO) + pot.remaining
    return Balance(
        as_of=as_of,
        entitled=entitled,
        taken=taken,
        planned=planned,
        remaining=sum((entry.hours for entry in entries), ZERO),
        expiring=tuple(sorted(expiring.items())),
        tranches=tuple(pots),
        brought_forward=before,
        expired=expired,
    )


def _expired_pots(entries: Sequence[Entry], on: date) -> list[Tranche]:
    return [
        pot
        for pot in tranches(entries, on)
        if pot.expires_on is not None and pot.expires_on <= on and pot.remaining > 0
    ]


def due_expiries(entries: Sequence[Entry], on: date, *, notified: Container[str]) -> list[Entry]:
    """The expiry entries to write on `on`: for each pot whose expiry date has come with
    hours left, one EXPIRY of those hours dated its expiry date, but only for pots named in
    `notified` (the employee was told in time, as Dutch case law requires). Idempotent:
    once written, the pot has nothing left (hours given back later are due again)."""
    return [
        Entry(
            kind=Kind.EXPIRY,
            hours=-pot.remaining,
            effective=pot.expires_on,
            tranche=pot.key,
            note=f"{pot.key} expired on {pot.expires_on.isoformat()}",
        )
        for pot in _expired_pots(entries, on)
        if pot.key in notified and pot.expires_on is not None
    ]


def unnotified_expiries(
    entries: Sequence[Entry], on: date, *, notified: Container[str]
) -> list[Tranche]:
    """The pots whose expiry date has come with hours left but whose holder was not told
    in time: they cannot expire (the caller extends them or records the notice)."""
    return [pot for pot in _expired_pots(entries, on) if pot.key not in notified]


def capped_carry_over(
    entries: Sequence[Entry], key: str, on: date, *, cap: Decimal | None, until: date | None
) -> list[Entry]:
    """The entries that carry tranche `key` over a year end on `on` (usually its expiry
    date) under a company's carry-over rule: at most `cap` hours (None: all) stay, until
    `until` (None: without end). Two entries, both dated `on`: an EXPIRY of what is above
    the cap (if anything) and a 0-hour CORRECTION moving the tranche's expiry to `until`;
    the carried hours stay in their own tranche, so they are used first while it expires
    soonest and explain themselves. Nothing when nothing is left. (A Dutch statutory
    tranche does not need this: it simply lasts until its own expiry.)"""
    pot = next((t for t in tranches(entries, on) if t.key == key), None)
    if pot is None or pot.remaining <= 0:
        return []
    kept = pot.remaining if cap is None else min(pot.remaining, max(cap, ZERO))
    moved = Entry(
        Kind.CORRECTION,
        ZERO,
        on,
        key,
        NO_END if until is None else until,
        note=f"{kept} h of {key} carried over" + (f" until {until.isoformat()}" if until else ""),
    )
    lapsed = pot.remaining - kept
    if lapsed <= 0:
        return [moved]
    expiry = Entry(
        Kind.EXPIRY,
        -lapsed,
        on,
        key,
        note=f"{lapsed} h of {key} above the carry-over cap of {cap} h",
    )
    return [moved, expiry]


def explain(entries: Sequence[Entry], as_of: date) -> list[tuple[Entry, Decimal]]:
    """Each entry effective on or before `as_of`, in processing order, with the running
    total after it (pass a late date to include planned leave)."""
    running = ZERO
    lines = []
    for entry in in_order(entries, as_of):
        running += entry.hours
        lines.append((entry, running))
    return lines


def nl_tranches(year: int) -> tuple[tuple[str, date], tuple[str, date]]:
    """The Dutch tranches of `year`'s leave and the first day each is gone: statutory on
    1 July of the next year (BW 7:640a), extra-statutory prescribes 5 years after the end
    of the year (BW 7:642)."""
    return ((f"{year}-statutory", date(year + 1, 7, 1)), (f"{year}-extra", date(year + 6, 1, 1)))


def nl_statutory_extended(year: int) -> date:
    """When `year`'s statutory leave could not reasonably be taken it prescribes like
    extra-statutory leave: gone on 1 January 5 years after the end of the year."""
    return date(year + 6, 1, 1)
