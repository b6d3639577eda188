"""The demo company's sickness and set-up: a few sick periods (one still open), a bridge
day the company closes and last month locked for payroll."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.timeoff import services
from kluis.timeoff.demo.base import DemoBase

SICK_REASONS = [
    "Flu",
    "Back pain",
    "Migraine",
    "Stomach flu",
    "Sprained ankle",
    "Covid-19",
    "Dental surgery",
]


class DemoCompany(DemoBase):
    def closing_day(self) -> None:
        """The Friday after a Thursday public holiday (Ascension) this year, else the
        Monday before a Tuesday one: the company closes that bridge day."""
        year = self.today.year
        holidays = sorted(d for d in self.off if d.year == year)
        bridge = next(
            (d + dt.timedelta(days=1) for d in holidays if d.weekday() == 3),
            next((d - dt.timedelta(days=1) for d in holidays if d.weekday() == 1), None),
        )
        hr = self.actors.get("hr")
        if bridge is None or hr is None or bridge in self.off:
            return
        services.add_closing_day(hr, self.tenant, {"date": bridge, "name": "Bridge day"})
        self.off[bridge] = "Bridge day"

    def sickness(self) -> None:
        """3-6 sick periods over the past months; one (in the demo team) still open."""
        rng = self.rng
        hr = self.actors.get("hr", self.system)
        pool = [e for e in self.employees if self._login(e) not in ("owner",)]
        chosen = rng.sample(pool, min(len(pool), rng.randint(2, 5)))
        for employee in chosen:
            start = self.today - dt.timedelta(days=rng.randint(20, 250))
            while not self.working(employee, start):
                start += dt.timedelta(days=1)
            end = start + dt.timedelta(days=rng.randint(0, 6))
            self._sick(hr, employee, start, end)
        open_one = next((e for e in self.employees if self._login(e) == "member3"), None)
        if open_one is not None:
            start = self.today - dt.timedelta(days=2)
            self._sick(self.actor_of(open_one), open_one, start, None, reason="Flu")

    def _sick(
        self,
        actor: Actor,
        employee: Employee,
        start: dt.date,
        end: dt.date | None,
        reason: str | None = None,
    ) -> None:
        try:
            services.register_absence(
                actor,
                employee,
                {
                    "start_date": start,
                    "end_date": end,
                    "reason": reason or self.rng.choice(SICK_REASONS),
                    "note": "Doctor's certificate received." if end and end > start else "",
                },
            )
        except (ValidationError, PermissionDenied):
            return

    def lock_last_month(self) -> None:
        hr = self.actors.get("hr")
        if hr is None:
            return
        month = (self.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        services.lock_month(
            hr,
            self.tenant,
            {
                "month": month.strftime("%Y-%m"),
                "reason": f"Payroll of {month.strftime('%B %Y')} sent to the payroll office.",
            },
        )
