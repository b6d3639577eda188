"""A realistic year of the calendar for each demo company.

What a demo login meets is written through the services the app uses (request, approve,
reject, cancel, register a sick period, add a closing day, lock a month), so its history,
audit trail, notices and balances are real: the demo team's summer holidays, the requests
waiting for the demo manager and HR, a rejected and a withdrawn one, the sick periods, the
closing day and the lock. The past leave of everyone else (some 40 people a company) is
written in bulk the way the services write it (the request, its days, its history
"requested" then "approved", its balance lines), but without an audit event each: going
through the services one by one would add half a minute to every demo load.

Per company: every active employee's entitlement for last year and this year (a grant
line per counted leave type, from kluis.timeoff.law.entitlement), 10-20 days of approved
leave over the past year (a summer holiday, bridge days, single and half days), a few
rejected and withdrawn requests, requests waiting in the coming weeks for the demo
manager (and for HR), a few sick periods (one still open), a bridge day the company
closes, and last month locked for payroll. Seeded: the same every time for the same day.

The notices those past steps would have sent are dropped (they would all be dated today
and flood the demo's inboxes and the mail queue); the notices of the requests still
waiting stay, so the approvals inbox has work.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.company.models import Notice
from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff import calendar, services
from kluis.timeoff.law.entitlement import be_legal_holiday, nl_statutory, pro_rata_fixed
from kluis.timeoff.law.schedule import WorkPeriod, hours_between, period_on, scheduled_hours
from kluis.timeoff.models import (
    Approval,
    EntryKind,
    EntryVersion,
    LeaveDay,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    Rule,
    Status,
    Unit,
)
from kluis.timeoff.services import ConflictError

SEED = 15
DEMO_TEAM = ("member1", "member2", "member3")
# Whose past leave goes through the services one request at a time (the demo team).
SERVICE_LOGINS = ("manager", *DEMO_TEAM)
SICK_REASONS = [
    "Flu",
    "Back pain",
    "Migraine",
    "Stomach flu",
    "Sprained ankle",
    "Covid-19",
    "Dental surgery",
]
REJECTIONS = [
    "Release week: can you pick the week after?",
    "Half of the team is away then already.",
]


def load_calendar(tenant: Tenant, *, locale: str = "", country: str = "", seed: int = SEED) -> None:
    """The demo company's year of leave, sickness, a closing day and a month lock."""
    _Demo(tenant, seed).load()


def has_calendar(tenant: Tenant) -> bool:
    return LeaveRequest.objects.for_tenant(tenant).exists()


def grant_entitlements(
    actor: Actor,
    tenant: Tenant,
    employees: Iterable[Employee],
    years: Iterable[int],
    periods: dict[int, list[WorkPeriod]],
) -> int:
    """A grant line per employee, counted leave type and year, of the year's entitlement
    computed by kluis.timeoff.law.entitlement (in one insert; the demo's stand-in for the
    yearly entitlement run). How many lines were written."""
    types = [t for t in LeaveType.objects.for_tenant(tenant) if t.is_active and t.counts_balance]
    lines = []
    for employee in employees:
        own = periods.get(employee.pk, [])
        for year in years:
            for leave_type in types:
                hours = _entitlement(leave_type, year, own)
                if hours <= 0:
                    continue
                months = leave_type.expires_after_months
                expires = None if months is None else _months_after(dt.date(year + 1, 1, 1), months)
                lines.append(
                    LedgerEntry(
                        tenant=tenant,
                        employee=employee,
                        leave_type=leave_type,
                        kind=EntryKind.GRANT,
                        hours=hours,
                        effective=dt.date(year, 1, 1),
                        year=year,
                        tranche=str(year),
                        expires_on=expires,
                        note="Yearly entitlement",
                        actor_label=actor.label[:254],
                    )
                )
    LedgerEntry.objects.bulk_create(lines)
    return len(lines)


def _entitlement(leave_type: LeaveType, year: int, periods: list[WorkPeriod]) -> Decimal:
    if leave_type.rule == Rule.BE_LEGAL:
        return be_legal_holiday(year, periods, periods)
    if leave_type.rule == Rule.NL_STATUTORY:
        return nl_statutory(year, periods)
    if leave_type.rule == Rule.FIXED:
        if leave_type.unit == Unit.HOURS:
            # "N hours a year" for a full-time week of 38 hours, pro rata.
            days = pro_rata_fixed(year, periods, leave_type.yearly_entitlement)
            return (days * 5 / Decimal(38)).quantize(Decimal("0.01"))
        return pro_rata_fixed(year, periods, leave_type.yearly_entitlement)
    return Decimal(0)


def _months_after(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


class _Demo:
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

    # --- the year -----------------------------------------------------------------------

    def load(self) -> None:
        if not self.employees or not self.main:
            return
        notices_before = (
            Notice.objects.for_tenant(self.tenant)
            .order_by("-pk")
            .values_list("pk", flat=True)
            .first()
            or 0
        )
        years = sorted({self.today.year - 1, self.today.year})
        grant_entitlements(self.system, self.tenant, self.employees, years, self.periods)
        self.closing_day()
        self.past_leave()
        self.declined()
        self.waiting()
        self.sickness()
        self.lock_last_month()
        stale = Notice.objects.for_tenant(self.tenant).filter(pk__gt=notices_before)
        stale.exclude(url__in=self.keep_notices).delete()

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

    def _login(self, employee: Employee) -> str:
        if employee.membership_id is None:
            return ""
        actor = self.by_membership.get(employee.membership_id)
        return actor.label.split("@")[0] if actor is not None else ""
