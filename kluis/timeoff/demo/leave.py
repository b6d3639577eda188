"""The demo's leave: the past year's approved leave (the demo team's through the services,
everyone else's in bulk), a rejected and a withdrawn request, and requests waiting in the
coming weeks for the demo manager and HR."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from kluis.people.models import Employee
from kluis.timeoff import services
from kluis.timeoff.demo.base import DEMO_TEAM, SERVICE_LOGINS, DemoBase
from kluis.timeoff.law.schedule import hours_between
from kluis.timeoff.models import (
    EntryKind,
    EntryVersion,
    LeaveDay,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    Status,
)

REJECTIONS = [
    "Release week: can you pick the week after?",
    "Half of the team is away then already.",
]


class DemoLeave(DemoBase):
    def plan_past_leave(self, employee: Employee) -> list[tuple[dt.date, dt.date, str]]:
        """About 10-20 days over the past year: a summer holiday of one or two weeks, a
        few days around autumn, single days and a half day: (first, last, end part)."""
        rng = self.rng
        target = rng.randint(10, 20)
        summer_year = self.today.year if self.today.month >= 9 else self.today.year - 1
        summer = dt.date(summer_year, rng.choice([7, 7, 8]), rng.randint(1, 20))
        blocks = [(self.weekday_on_or_after(summer, 0), rng.choice([5, 5, 10]))]
        autumn = self.today - dt.timedelta(days=rng.randint(35, 300))
        blocks.append((self.weekday_on_or_after(autumn, 0), rng.choice([3, 4, 5])))
        days = sum(n for _s, n in blocks)
        while days < target:
            blocks.append((self.today - dt.timedelta(days=rng.randint(20, 340)), 1))
            days += 1
        planned: list[tuple[dt.date, dt.date, str]] = []
        for start, length in blocks:
            while not self.working(employee, start) and start < self.today:
                start += dt.timedelta(days=1)
            end = self.span(employee, start, length)
            if start >= self.today or end is None or end >= self.today:
                continue
            planned.append((start, end, "full"))
            self.mark(employee, start, end)
        half = self.today - dt.timedelta(days=rng.randint(15, 200))
        if self.working(employee, half) and self.span(employee, half, 1) == half:
            planned.append((half, half, "morning"))
            self.mark(employee, half, half)
        return planned

    def past_leave(self) -> None:
        """The demo team's summer holiday and half day through the services (their
        history and audit trail are real); everything else in bulk."""
        bulk: list[tuple[Employee, dt.date, dt.date, str]] = []
        for employee in self.employees:
            planned = self.plan_past_leave(employee)
            if self._login(employee) not in SERVICE_LOGINS:
                bulk += [(employee, *item) for item in planned]
                continue
            for index, (start, end, part) in enumerate(planned):
                if index not in (0, len(planned) - 1):
                    bulk.append((employee, start, end, part))
                    continue
                made = self.request(employee, start, end, end_part=part)
                if made is not None:
                    self.approve(made, comment=self.rng.choice(["", "Enjoy!", "Have a rest."]))
        self.past_leave_in_bulk(bulk)

    def past_leave_in_bulk(self, planned: list[tuple[Employee, dt.date, dt.date, str]]) -> None:
        """Approved past leave of many people at once, as the services would write it."""
        approver = self.actors.get("hr", self.system).label[:254]
        left = self.balances([item[0] for item in planned])
        plans: list[tuple[Employee, LeaveType, dt.date, dt.date, str, dict[dt.date, Decimal]]] = []
        for employee, start, end, part in planned:
            periods = self.periods.get(employee.pk, [])
            hours = hours_between(start, end, periods, self.off, last_part=part)
            total = sum(hours.values(), Decimal(0))
            if not hours:
                continue
            kind = next((t for t in self.main if left[(employee.pk, t.pk)] >= total), None)
            if kind is None:
                continue
            left[(employee.pk, kind.pk)] -= total
            plans.append((employee, kind, start, end, part, hours))
        now = timezone.now()
        requests = LeaveRequest.objects.bulk_create(
            LeaveRequest(
                tenant=self.tenant,
                employee=employee,
                leave_type=kind,
                start_date=start,
                end_date=end,
                end_part=part,
                hours=sum(hours.values(), Decimal(0)),
                status=Status.APPROVED,
                stage="",
                requested_by=self.actor_of(employee).label[:254],
                decided_by=approver,
                decided_at=now,
                version=2,
            )
            for employee, kind, start, end, part, hours in plans
        )
        days, lines, history = [], [], []
        for request, (employee, kind, start, end, part, hours) in zip(requests, plans, strict=True):
            for day, amount in sorted(hours.items()):
                days.append(
                    LeaveDay(
                        tenant=self.tenant,
                        request=request,
                        employee=employee,
                        date=day,
                        hours=amount,
                        part=part if day == end else "full",
                        active=True,
                    )
                )
            per_year: dict[int, tuple[Decimal, dt.date]] = {}
            for day, amount in sorted(hours.items()):
                total, first = per_year.get(day.year, (Decimal(0), day))
                per_year[day.year] = (total + amount, first)
            for year, (total, first) in sorted(per_year.items()):
                lines.append(
                    LedgerEntry(
                        tenant=self.tenant,
                        employee=employee,
                        leave_type=kind,
                        kind=EntryKind.USE,
                        hours=-total,
                        effective=first,
                        year=year,
                        request=request,
                        actor_label=approver,
                    )
                )
            values = {
                "leave_type": kind.pk,
                "start_date": start.isoformat(),
                "end_date": end.isoformat(),
                "start_part": "full",
                "end_part": part,
                "hours": str(request.hours),
                "reason": "",
            }
            history += [
                EntryVersion(
                    tenant=self.tenant,
                    request=request,
                    version=1,
                    action="requested",
                    changed_at=now,
                    actor_label=request.requested_by,
                    changed_fields=sorted(values),
                    new_values=values,
                ),
                EntryVersion(
                    tenant=self.tenant,
                    request=request,
                    version=2,
                    action="approved",
                    changed_at=now,
                    actor_label=approver,
                    changed_fields=["stage", "status"],
                    old_values={"status": "pending", "stage": "manager"},
                    new_values={"status": "approved", "stage": ""},
                ),
            ]
        LeaveDay.objects.bulk_create(days, batch_size=1000)
        LedgerEntry.objects.bulk_create(lines, batch_size=1000)
        EntryVersion.objects.bulk_create(history, batch_size=1000)

    def balances(self, employees: list[Employee]) -> dict[tuple[int, int], Decimal]:
        left: dict[tuple[int, int], Decimal] = {
            (e.pk, t.pk): Decimal(0) for e in employees for t in self.main
        }
        # Leave already taken through the services counts too (the ledger has it).
        rows = LedgerEntry.objects.for_tenant(self.tenant).filter(
            employee__in=employees, leave_type__in=self.main
        )
        for employee_id, type_id, hours in rows.values_list(
            "employee_id", "leave_type_id", "hours"
        ):
            left[(employee_id, type_id)] += hours
        return left

    def declined(self) -> None:
        """A rejected request and a withdrawn one in the demo team."""
        team = [e for e in self.employees if self._login(e) in DEMO_TEAM]
        for index, employee in enumerate(team[:2]):
            start = self.weekday_on_or_after(
                self.today + dt.timedelta(days=30 + 14 * index), 2 + index
            )
            end = self.span(employee, start, 2)
            if end is None:
                continue
            made = self.request(employee, start, end)
            if made is None:
                continue
            if index == 0:
                manager = self.approver_for(made)
                if manager is not None:
                    services.reject_request(manager, made, comment=REJECTIONS[0])
            else:
                services.cancel_request(
                    self.actor_of(employee), made, reason="Plans changed, I will work that week."
                )
            for day in range((end - start).days + 1):
                self.taken[employee.pk].discard(start + dt.timedelta(days=day))

    def waiting(self) -> None:
        """Requests waiting for a decision in the coming weeks: each of the demo manager's
        team, and one for HR (the employee who reports to HR)."""
        from kluis.timeoff import links

        waiting = [e for e in self.employees if self._login(e) in (*DEMO_TEAM, "employee")]
        for index, employee in enumerate(waiting):
            start = self.weekday_on_or_after(self.today + dt.timedelta(days=7 + 6 * index), 0)
            end = self.span(employee, start, [5, 1, 3, 2][index % 4])
            if end is None:
                continue
            extra: dict[str, Any] = {}
            if index == 1:
                extra["reason"] = "My sister's wedding"
            made = self.request(employee, start, end, **extra)
            if made is not None:
                self.keep_notices.add(links.request_page(made.pk))
        # A training day somebody asked for, two-step types aside.
        training = next((t for t in self.other if t.code == "training"), None)
        member = next((e for e in waiting if self._login(e) == "member2"), None)
        if training is not None and member is not None:
            day = self.weekday_on_or_after(self.today + dt.timedelta(days=40), 3)
            if self.span(member, day, 1) == day:
                made = self.request(member, day, day, leave_type=training)
                if made is not None and made.status == Status.PENDING:
                    self.keep_notices.add(links.request_page(made.pk))
