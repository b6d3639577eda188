"""The dashboard's reads of the HR file: what needs HR's or a manager's attention (people
missing required data, open invitations, contracts and probation periods ending, headcount,
hires and leavers this month) and the birthdays and work anniversaries of the week.

Every count is one condition on the same queryset the People list shows the reader
(`selectors.employees_for`), and the list's filters (kluis/people/filters.py) apply the
same conditions, so a count and the list it links to always agree. All counts come from
one query, whatever the size of the company."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people import selectors
from kluis.people.models import EmergencyContact, Employee, EmployeeStatus, Employment
from kluis.people.permissions import actor_employee_id, scope_of
from kluis.people.services.invitations import with_login_state

MISSING_IBAN, MISSING_EMERGENCY_CONTACT = "iban", "emergency_contact"
AHEAD = 60  # days: contracts and probation periods ending within this are shown


# --- the conditions (shared with the People list's filters) ---------------------------------


def with_service_dates(queryset: QuerySet[Employee]) -> QuerySet[Employee]:
    """`start_date`: the first contract's start ("in service since"); `service_end`: the
    end of the latest contract (None while it runs open-ended)."""
    contracts = Employment.objects.filter(employee=OuterRef("pk"))
    if "start_date" not in queryset.query.annotations:
        queryset = queryset.annotate(
            start_date=Subquery(contracts.order_by("start_date").values("start_date")[:1])
        )
    if "service_end" in queryset.query.annotations:
        return queryset
    return queryset.annotate(
        service_end=Subquery(contracts.order_by("-start_date").values("end_date")[:1])
    )


def missing(what: str) -> Q:
    """Current people (not left) without a bank account or without an emergency contact."""
    current = ~Q(status=EmployeeStatus.LEFT)
    if what == MISSING_IBAN:
        return current & Q(iban_sealed="")
    contact = EmergencyContact.objects.filter(employee=OuterRef("pk"))
    return current & ~Q(Exists(contact))


def started_between(first: dt.date, last: dt.date) -> Q:
    """Hired: the first contract starts in the period (needs `with_service_dates`)."""
    return Q(start_date__gte=first, start_date__lte=last)


def service_ends_between(first: dt.date, last: dt.date) -> Q:
    """Leaving: the latest contract ends in the period, no contract follows it (needs
    `with_service_dates`)."""
    return Q(service_end__gte=first, service_end__lte=last)


def probation_ends_between(first: dt.date, last: dt.date) -> Q:
    """A current person (not left) whose contract's probation period ends in the period."""
    ending = Employment.objects.filter(
        employee=OuterRef("pk"), probation_end_date__gte=first, probation_end_date__lte=last
    )
    return ~Q(status=EmployeeStatus.LEFT) & Q(Exists(ending))


OPEN_INVITATION = Q(login_password_set=False, login_invited=True)  # needs `with_login_state`


# --- the counts ------------------------------------------------------------------------------


def month_of(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


def ahead_of(day: dt.date) -> tuple[dt.date, dt.date]:
    return day, day + dt.timedelta(days=AHEAD)


@dataclass(frozen=True)
class PeopleFigures:
    headcount: int
    hires: int
    leavers: int
    contracts_ending: int
    probation_ending: int
    missing_iban: int | None  # None: not the reader's business (HR only)
    missing_emergency_contact: int | None
    invited: int | None


def reaches_team(actor: Actor) -> bool:
    """A manager or HR: `people.view` over a team or the company (an employee's own
    file is not a dashboard's business)."""
    return scope_of(actor, "people.view") in (Scope.TEAM, Scope.COMPANY)


def keeps_files(actor: Actor) -> bool:
    """HR: changes everyone's file."""
    return scope_of(actor, "people.edit") == Scope.COMPANY


def figures(actor: Actor, today: dt.date) -> PeopleFigures:
    """The counts the dashboard shows this reader, in one query over the people the
    reader's People list shows."""
    month_first, month_last = month_of(today)
    ahead_first, ahead_last = ahead_of(today)
    hr = keeps_files(actor)
    invites = hr and scope_of(actor, "tenancy.manage_members") == Scope.COMPANY
    people = with_service_dates(selectors.employees_for(actor).order_by())
    flags = {
        "headcount": Q(status=EmployeeStatus.ACTIVE),
        "hires": started_between(month_first, month_last),
        "leavers": service_ends_between(month_first, month_last),
        "contracts_ending": service_ends_between(ahead_first, ahead_last),
        "probation_ending": probation_ends_between(ahead_first, ahead_last),
    }
    if hr:
        flags["missing_iban"] = missing(MISSING_IBAN)
        flags["missing_emergency_contact"] = missing(MISSING_EMERGENCY_CONTACT)
    if invites:
        people = with_login_state(people)
        flags["invited"] = OPEN_INVITATION
    # Each condition a column of the inner query, counted by the outer one.
    people = people.annotate(
        **{
            f"is_{key}": ExpressionWrapper(q, output_field=BooleanField())
            for key, q in flags.items()
        }
    )
    found = people.aggregate(**{key: Count("pk", filter=Q(**{f"is_{key}": True})) for key in flags})
    return PeopleFigures(
        headcount=found["headcount"],
        hires=found["hires"],
        leavers=found["leavers"],
        contracts_ending=found["contracts_ending"],
        probation_ending=found["probation_ending"],
        missing_iban=found.get("missing_iban"),
        missing_emergency_contact=found.get("missing_emergency_contact"),
        invited=found.get("invited"),
    )


@dataclass(frozen=True)
class Ending:
    employee: Employee
    date: dt.date


def endings(actor: Actor, today: dt.date, limit: int = 5) -> tuple[list[Ending], list[Ending]]:
    """The first contracts and probation periods to end within the next 60 days (two
    queries), soonest first."""
    first, last = ahead_of(today)
    people = with_service_dates(selectors.employees_for(actor))
    soonest = ("service_end", "last_name", "pk")
    contracts = [
        Ending(e, e.service_end)  # type: ignore[attr-defined]
        for e in people.filter(service_ends_between(first, last)).order_by(*soonest)[:limit]
    ]
    probation_end = Subquery(
        Employment.objects.filter(
            employee=OuterRef("pk"), probation_end_date__gte=first, probation_end_date__lte=last
        )
        .order_by("probation_end_date")
        .values("probation_end_date")[:1]
    )
    probation = [
        Ending(e, e.probation_end)
        for e in selectors.employees_for(actor)
        .filter(probation_ends_between(first, last))
        .annotate(probation_end=probation_end)
        .order_by("probation_end", "last_name", "pk")[:limit]
    ]
    return contracts, probation


# --- birthdays and work anniversaries --------------------------------------------------------


@dataclass(frozen=True)
class Celebration:
    employee: Employee
    day: dt.date  # this year's date of it
    years: int | None  # years in service (anniversaries); never an age


def _week_days(first: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range(7)]


def _on_days(dates: dict[int, dt.date], days: list[dt.date]) -> dict[int, dt.date]:
    """The people whose date (birth, first day of work) falls on one of `days` (by day and
    month; 29 February on the 28th in other years), with that day of this week. Matched
    here, not in SQL: SQLite would call a Python function per row and per day."""
    wanted = {(d.month, d.day): d for d in days}
    for day in days:
        if (day.month, day.day) == (2, 28) and not _leap(day.year):
            wanted[(2, 29)] = day
    return {pk: wanted[(d.month, d.day)] for pk, d in dates.items() if (d.month, d.day) in wanted}


def _leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def colleagues(actor: Actor) -> QuerySet[Employee]:
    """Whose celebrations the reader is shown: HR (`people.view` company-wide) the
    company's; others their own team (the same team; else their manager's reports and the
    manager; else their own reports). Only current people who did not opt out."""
    base = (
        Employee.objects.for_actor(actor)
        .exclude(status=EmployeeStatus.LEFT)
        .filter(show_celebrations=True)
    )
    if scope_of(actor, "people.view") == Scope.COMPANY:
        return base
    own = actor_employee_id(actor)
    if own is None:
        return base.none()
    me = Employee.objects.for_actor(actor).filter(pk=own).values("team_id", "manager_id").first()
    if me is None:
        return base.none()
    if me["team_id"]:
        return base.filter(team_id=me["team_id"])
    if me["manager_id"]:
        return base.filter(Q(manager_id=me["manager_id"]) | Q(pk=me["manager_id"]))
    return base.filter(Q(manager_id=own) | Q(pk=own))


def celebrations(actor: Actor, week_first: dt.date) -> tuple[list[Celebration], list[Celebration]]:
    """Birthdays and work anniversaries in the week starting on `week_first` (two queries
    whatever is found), in date order. A birthday shows its day and month only."""
    days = _week_days(week_first)
    people = colleagues(actor)
    names: dict[int, tuple[str, str, str]] = {}
    born: dict[int, dt.date] = {}
    for pk, first_name, last_name, preferred_name, birth_date in people.values_list(
        "pk", "first_name", "last_name", "preferred_name", "birth_date"
    ):
        names[pk] = (first_name, last_name, preferred_name)
        if birth_date is not None:
            born[pk] = birth_date
    first_days: dict[int, dt.date] = {}
    for employee_id, start in (
        Employment.objects.for_actor(actor)
        .filter(employee__in=people.values("pk"), start_date__lt=days[0])
        .values_list("employee_id", "start_date")
    ):
        if employee_id not in first_days or start < first_days[employee_id]:
            first_days[employee_id] = start
    order = lambda c: (c.day, c.employee.last_name, c.employee.pk)  # noqa: E731

    def person(pk: int) -> Employee:  # only what a name needs, for the few found
        first_name, last_name, preferred_name = names[pk]
        return Employee(
            pk=pk, first_name=first_name, last_name=last_name, preferred_name=preferred_name
        )

    birthdays = [Celebration(person(pk), day, None) for pk, day in _on_days(born, days).items()]
    anniversaries = [
        Celebration(person(pk), day, day.year - first_days[pk].year)
        for pk, day in _on_days(first_days, days).items()
        if pk in names and day.year - first_days[pk].year >= 1
    ]
    return sorted(birthdays, key=order), sorted(anniversaries, key=order)
