"""The dashboard: what needs the signed-in person, by role. Each card appears only when the
person's permissions reach it, over their scope (HR: the company; a manager: their team;
an employee: their own things), and every number links to the page that lists the same
things (the approvals page, the People list filtered the same way, the list of who is away).

The reads live with the data (kluis/people/selectors_dashboard.py,
kluis/timeoff/selectors_dashboard.py, kluis/checklists/selectors.py); this module only
composes them, in a fixed number of queries whatever the size of the company."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.models import Role
from kluis.access.permissions import Scope
from kluis.audit.selectors import recent_events
from kluis.checklists import selectors as checklists
from kluis.people import selectors_dashboard as files
from kluis.people.permissions import actor_employee_id, scope_of
from kluis.people.services.invitations import INVITED
from kluis.timeoff import selectors_dashboard as timeoff
from kluis.timeoff.team_calendar import week_of

SHOWN = 5  # names shown in a card before "see all"


@dataclass(frozen=True)
class Figure:
    key: str  # data-testid
    label: str
    count: int
    url: str


@dataclass
class Dashboard:
    today: dt.date
    scope_label: str = ""
    waiting: timeoff.Waiting | None = None
    away: Any = None
    coming_leave: list[Any] | None = None
    tasks: list[Any] = field(default_factory=list)  # checklist tasks that are theirs
    tasks_count: int = 0
    people: list[Figure] = field(default_factory=list)  # headcount, hires, leavers
    due: list[Figure] = field(default_factory=list)  # contracts and probation ending
    contracts_ending: list[files.Ending] = field(default_factory=list)
    probation_ending: list[files.Ending] = field(default_factory=list)
    to_complete: list[Figure] = field(default_factory=list)  # missing data, invitations
    birthdays: list[files.Celebration] | None = None
    anniversaries: list[files.Celebration] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    recent_events: list[Any] | None = None  # the audit log's newest, for its readers

    @property
    def empty(self) -> bool:
        return not (
            self.waiting is not None
            or self.away is not None
            or self.coming_leave is not None
            or bool(self.tasks)
            or self.people
            or self.birthdays is not None
        )


def people_list(**params: Any) -> str:
    return reverse("people:list") + "?" + urlencode({k: str(v) for k, v in params.items()})


def _scope_label(actor: Actor) -> str:
    if scope_of(actor, "people.view") == Scope.COMPANY:
        return _("The company")
    return _("You and the people who report to you")


def build(actor: Actor, today: dt.date | None = None) -> Dashboard:
    today = today or timezone.localdate()
    board = Dashboard(today=today)
    board.waiting = timeoff.waiting(actor)
    mine = checklists.my_tasks(actor)
    board.tasks = list(mine[:SHOWN])
    board.tasks_count = mine.count() if len(board.tasks) == SHOWN else len(board.tasks)
    board.away = timeoff.away(actor, today)
    coming = timeoff.my_coming_leave(actor, today)
    if coming is not None:
        board.coming_leave = list(coming[:SHOWN])
    if files.reaches_team(actor):
        _people_cards(actor, board)
    if actor_employee_id(actor) is not None or scope_of(actor, "people.view") == Scope.COMPANY:
        board.birthdays, board.anniversaries = files.celebrations(actor, week_of(today)[0])
    board.roles = [
        role.display_name
        for role in Role.objects.for_actor(actor).filter(assignments__membership=actor.membership)
    ]
    if can(actor, "audit.view"):
        board.recent_events = recent_events(actor, count=5)
    return board


def _people_cards(actor: Actor, board: Dashboard) -> None:
    today = board.today
    board.scope_label = _scope_label(actor)
    found = files.figures(actor, today)
    month_first, month_last = files.month_of(today)
    ahead_first, ahead_last = files.ahead_of(today)
    board.people = [
        Figure("headcount", _("Active employees"), found.headcount, people_list(status="active")),
        Figure(
            "hires",
            _("Hired this month"),
            found.hires,
            people_list(started_from=month_first, started_to=month_last),
        ),
        Figure(
            "leavers",
            _("Leaving this month"),
            found.leavers,
            people_list(ends_from=month_first, ends_to=month_last),
        ),
    ]
    board.due = [
        Figure(
            "contracts-ending",
            _("Contracts ending in the next 60 days"),
            found.contracts_ending,
            people_list(ends_from=ahead_first, ends_to=ahead_last),
        ),
        Figure(
            "probation-ending",
            _("Probation periods ending in the next 60 days"),
            found.probation_ending,
            people_list(probation_ends_from=ahead_first, probation_ends_to=ahead_last),
        ),
    ]
    board.contracts_ending, board.probation_ending = files.endings(actor, today, SHOWN)
    if found.missing_iban is not None and found.missing_emergency_contact is not None:
        board.to_complete = [
            Figure(
                "missing-iban",
                _("No bank account"),
                found.missing_iban,
                people_list(missing=files.MISSING_IBAN),
            ),
            Figure(
                "missing-emergency-contact",
                _("No emergency contact"),
                found.missing_emergency_contact,
                people_list(missing=files.MISSING_EMERGENCY_CONTACT),
            ),
        ]
    if found.invited is not None:
        board.to_complete.append(
            Figure(
                "invited",
                _("Invited, not signed in yet"),
                found.invited,
                people_list(login=INVITED),
            )
        )
