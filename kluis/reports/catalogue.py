"""The reports: what each counts, the permission that opens it (and whose figures it then
counts), its filters, and the function that makes its figures."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.reports import absence, distributions, leave, workforce
from kluis.reports.filters import Filters
from kluis.reports.scope import reach_of
from kluis.reports.tables import Result


@dataclass(frozen=True)
class Report:
    key: str
    title: str | Promise
    summary: str | Promise
    permission: str
    filters: tuple[str, ...]
    build: Callable[[Actor, Filters], Result]

    @property
    def url(self) -> str:
        return reverse(f"reports:{self.key}")

    @property
    def csv_url(self) -> str:
        return reverse(f"reports:{self.key}_csv")


REPORTS: dict[str, Report] = {
    report.key: report
    for report in [
        Report(
            "headcount",
            _("Headcount over time"),
            _("How many people had a contract at the end of each month."),
            "people.view",
            ("to", "months", "department"),
            workforce.headcount,
        ),
        Report(
            "turnover",
            _("Hires, leavers and turnover"),
            _("Hires and leavers per month, and the turnover rate."),
            "people.view",
            ("to", "months", "department"),
            workforce.turnover,
        ),
        Report(
            "absence",
            _("Absence rate and sick days"),
            _("Sick days and the absence rate per department and month."),
            "timeoff.view_sickness",
            ("to", "months", "department"),
            absence.absence,
        ),
        Report(
            "leave",
            _("Leave taken and entitlement"),
            _("Per leave type and department: entitlement, taken, expired and remaining."),
            "timeoff.view",
            ("year", "leave_type", "department"),
            leave.leave,
        ),
        Report(
            "contracts",
            _("Contract ends ahead"),
            _("Contracts ending in the next 3, 6 or 12 months, by contract type."),
            "people.view",
            ("on", "horizon", "department"),
            workforce.contract_ends,
        ),
        Report(
            "age",
            _("Age distribution"),
            _("People per age band and department."),
            "people.view_personal",
            ("on", "department"),
            distributions.age,
        ),
        Report(
            "tenure",
            _("Length of service"),
            _("People per years of unbroken service and department."),
            "people.view",
            ("on", "department"),
            distributions.tenure,
        ),
    ]
}


def visible_to(actor: Actor) -> list[tuple[Report, str]]:
    """The reports the actor may open, each with how far its figures reach (company or
    team)."""
    out = []
    for report in REPORTS.values():
        reach = reach_of(actor, report.permission)
        if reach is not None:
            out.append((report, reach))
    return out
