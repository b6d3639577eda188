"""The contracts a report counts, read once, and the periods of service they make.

A period of service ("stint") is an unbroken run of one person's contracts: a contract
that starts the day after the previous one ended (a fixed-term contract made permanent)
continues it. A hire is the start of a stint, a leaver its end; a contract change is
neither."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from django.db.models import TextField
from django.db.models.functions import Cast

from kluis.access.actor import Actor
from kluis.people.models import Department, Employment
from kluis.reports.scope import rows_of
from kluis.timeoff.law.schedule import WorkPeriod, daily_hours

ONE_DAY = dt.timedelta(days=1)


@dataclass
class Contract:
    employee_id: int
    start: dt.date
    end: dt.date | None
    contract_type: str
    department_id: int | None
    hours_per_week: Decimal | None = None  # read only when asked for (schedules=True)
    weekly_schedule: tuple[Any, ...] = ()

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    @cached_property
    def period(self) -> WorkPeriod:
        """The contract as working time (kluis.timeoff.law.schedule)."""
        if self.hours_per_week is None:
            raise ValueError("contracts_of(..., schedules=True) reads the working time")
        return _period(self.start, self.end, self.hours_per_week, self.weekly_schedule)

    @cached_property
    def working(self) -> tuple[bool, ...]:
        """Which weekdays (Monday first) the schedule asks hours on."""
        return _working(self.hours_per_week or Decimal(0), self.weekly_schedule)


@dataclass(frozen=True)
class Stint:
    employee_id: int
    contracts: tuple[Contract, ...]  # oldest first

    @property
    def first(self) -> Contract:
        return self.contracts[0]

    @property
    def last(self) -> Contract:
        return self.contracts[-1]

    def contract_on(self, day: dt.date) -> Contract | None:
        return next((c for c in self.contracts if c.covers(day)), None)

    @property
    def start(self) -> dt.date:
        return self.first.start

    @property
    def end(self) -> dt.date | None:
        return self.last.end

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def contracts_of(actor: Actor, permission: str, *, schedules: bool = False) -> list[Contract]:
    """Every contract of the people `permission` reaches for the actor, by person and
    start: one query; with `schedules`, their working time too."""
    rows = rows_of(actor, permission, Employment.objects.all()).order_by(
        "employee_id", "start_date"
    )
    fields = ["employee_id", "start_date", "end_date", "contract_type", "department_id"]
    if not schedules:
        return [
            Contract(employee_id, start, end, kind, department_id)
            for employee_id, start, end, kind, department_id in rows.values_list(*fields)
        ]
    # The schedule as its JSON text: a company's people share a few, each decoded once.
    text = Cast("weekly_schedule", TextField())
    return [
        Contract(employee_id, start, end, kind, department_id, Decimal(hours), _schedule(days))
        for employee_id, start, end, kind, department_id, hours, days in rows.annotate(
            schedule_text=text
        ).values_list(*fields, "hours_per_week", "schedule_text")
    ]


@lru_cache(maxsize=1024)
def _schedule(text: str | None) -> tuple[Any, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    return tuple(value) if isinstance(value, list) and len(value) == 7 else ()


@lru_cache(maxsize=1024)
def _working(hours: Decimal, schedule: tuple[Any, ...]) -> tuple[bool, ...]:
    period = WorkPeriod.from_contract(dt.date.min, None, hours, schedule)
    return tuple(h > 0 for h in daily_hours(period))


def _period(
    start: dt.date, end: dt.date | None, hours: Decimal, schedule: tuple[Any, ...]
) -> WorkPeriod:
    return WorkPeriod.from_contract(start, end, hours, schedule)


def stints_of(contracts: list[Contract]) -> list[Stint]:
    """The periods of service the contracts make (contracts sorted by person and start)."""
    stints: list[Stint] = []
    for contract in contracts:
        previous = stints[-1] if stints else None
        if (
            previous is not None
            and previous.employee_id == contract.employee_id
            and previous.end is not None
            and contract.start <= previous.end + ONE_DAY
        ):
            stints[-1] = Stint(contract.employee_id, (*previous.contracts, contract))
        else:
            stints.append(Stint(contract.employee_id, (contract,)))
    return stints


def in_department(contract: Contract, department: int | None) -> bool:
    return department is None or contract.department_id == department


def department_names(actor: Actor) -> dict[int | None, str]:
    """The company's departments by id (archived ones too: they stay on history)."""
    from django.utils.translation import gettext as _

    names: dict[int | None, str] = {
        pk: name for pk, name in Department.objects.for_actor(actor).values_list("pk", "name")
    }
    names[None] = _("No department")
    return names
