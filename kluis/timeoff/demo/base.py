"""The demo calendar's state and helpers: who the demo logins are, which days each
person works, which days are taken already, and requests made and approved through the
services (kluis/timeoff/demo/__init__.py tells the whole story)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff import calendar, services
from kluis.timeoff.law.schedule import period_on, scheduled_hours
from kluis.timeoff.models import Approval, LeaveRequest, LeaveType, Status
from kluis.timeoff.services import ConflictError

SEED = 15
DEMO_TEAM = ("member1", "member2", "member3")
# Whose past leave goes through the services one request at a time (the demo team).
SERVICE_LOGINS = ("manager", *DEMO_TEAM)


class DemoBase:
    """One company's demo calendar being laid out around today (seeded)."""

    def __init__(self, tenant: Tenant, seed: int) -> None:
        self.tenant = tenant
        self.today = timezone.localdate()
        # Repeatable per company and per day (the demo is laid out around today).
        self.rng = random.Random(f"{seed}:{tenant.slug}:{self.today.isoformat()}")  # noqa: S311
        self.system = Actor.system("demo-loader", tenant)
        members = Membership.objects.for_tenant(tenant).select_related("user", "tenant")
        self.actors = {m.user.email.split("@")[0]: Actor.for_member(m) for m in members}
        self.by_membership = {m.pk: self.actors[m.user.email.split("@")[0]] for m in members}
        self.employees = list(
            Employee.objects.for_tenant(tenant)
            .filter(status="active")
            .select_related("tenant", "manager")
            .order_by("pk")
        )
        self.periods = calendar.work_periods(tenant, [e.pk for e in self.employees])
        first = self.today - dt.timedelta(days=400)
        self.off = calendar.days_off(tenant, first, self.today + dt.timedelta(days=120))
        types = list(LeaveType.objects.for_tenant(tenant).filter(is_active=True))
        counted = [t for t in types if t.counts_balance and t.approval != Approval.MANAGER_THEN_HR]
        self.main = sorted(counted, key=lambda t: t.position)
        self.other = [t for t in types if t.code in ("training", "remote")]
        self.taken: dict[int, set[dt.date]] = {e.pk: set() for e in self.employees}
        self.keep_notices: set[str] = set()

    # --- helpers ----------------------------------------------------------------------

    def actor_of(self, employee: Employee) -> Actor:
        if employee.membership_id and employee.membership_id in self.by_membership:
            return self.by_membership[employee.membership_id]
        return self.actors.get("hr", self.system)

    def approver_for(self, request: LeaveRequest) -> Actor | None:
        employee = request.employee
        candidates: list[Actor] = []
        if employee.manager is not None and employee.manager.membership_id:
            manager = self.by_membership.get(employee.manager.membership_id)
            if manager is not None:
                candidates.append(manager)
        candidates += [self.actors[k] for k in ("hr", "owner", "consultant") if k in self.actors]
        for actor in candidates:
            if services.may_decide(actor, request):
                return actor
        return None

    def working(self, employee: Employee, day: dt.date) -> bool:
        if day in self.off:
            return False
        return scheduled_hours(day, self.periods.get(employee.pk, [])) > 0

    def span(self, employee: Employee, start: dt.date, working_days: int) -> dt.date | None:
        """The last day of `working_days` working days from `start`, or None when one of
        them is taken already or not a day of employment."""
        periods = self.periods.get(employee.pk, [])
        day, counted = start, 0
        while counted < working_days:
            if period_on(day, periods) is None or day in self.taken[employee.pk]:
                return None
            if self.working(employee, day):
                counted += 1
            if counted < working_days:
                day += dt.timedelta(days=1)
            if (day - start).days > working_days * 2 + 6:
                return None
        return day

    def request(
        self,
        employee: Employee,
        start: dt.date,
        end: dt.date,
        *,
        leave_type: LeaveType | None = None,
        by: Actor | None = None,
        **extra: Any,
    ) -> LeaveRequest | None:
        options = [leave_type] if leave_type else self.main
        for kind in options:
            try:
                made = services.request_leave(
                    by or self.actor_of(employee),
                    employee,
                    {"leave_type": kind, "start_date": start, "end_date": end, **extra},
                )
            except ValidationError:
                continue
            day = start
            while day <= end:
                self.taken[employee.pk].add(day)
                day += dt.timedelta(days=1)
            return made
        return None

    def approve(self, request: LeaveRequest, comment: str = "") -> None:
        approver = self.approver_for(request)
        while approver is not None and request.status == Status.PENDING:
            try:
                request = services.approve_request(approver, request, comment=comment)
            except (ConflictError, PermissionDenied, ValidationError):
                return
            approver = self.approver_for(request) if request.status == Status.PENDING else None

    def weekday_on_or_after(self, day: dt.date, weekday: int) -> dt.date:
        return day + dt.timedelta(days=(weekday - day.weekday()) % 7)

    def mark(self, employee: Employee, start: dt.date, end: dt.date) -> None:
        day = start
        while day <= end:
            self.taken[employee.pk].add(day)
            day += dt.timedelta(days=1)

    def unmark(self, employee: Employee, start: dt.date, end: dt.date) -> None:
        day = start
        while day <= end:
            self.taken[employee.pk].discard(day)
            day += dt.timedelta(days=1)

    def _login(self, employee: Employee) -> str:
        if employee.membership_id is None:
            return ""
        actor = self.by_membership.get(employee.membership_id)
        return actor.label.split("@")[0] if actor is not None else ""
