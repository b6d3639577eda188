"""Leave that expires: the employee is told in time, then it goes (the daily job).

- `send_expiry_notices(today)`: for every tranche whose remainder (after planned leave)
  expires within the company's `warn_days_before_expiry`, an `ExpiryNotice` (once per
  tranche) and a notice to the employee, in the app and by e-mail. Hours above a capped
  carry-over are told the same way, before 1 January (the notice's tranche is
  "<tranche>:carry").
- `apply_expiries(today)`: on 1 January, capped carry-over (`law.capped_carry_over`) of last
  year's tranches of types with a carry-over limit; then the expiry of every tranche past
  its date (`law.due_expiries`). A tranche (or excess) expires only when its notice was
  recorded at least `NOTICE_LEAD_DAYS` days before the date (or the company's warning
  period, if shorter): otherwise nothing expires, the hours are kept, and HR is told on
  the day it would have expired.

Both run for every company (or one), as the system, and record one audit event per
company and run when they wrote something."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.company.notices import notify
from kluis.people.models import Employee
from kluis.tenancy.models import Membership, Tenant
from kluis.timeoff import calendar
from kluis.timeoff.law import ledger as law
from kluis.timeoff.law.schedule import CENT, hours_per_day, period_on
from kluis.timeoff.models import (
    EntryKind,
    ExpiryNotice,
    LeaveType,
    LedgerEntry,
    Unit,
)
from kluis.timeoff.notifications import hr_members
from kluis.timeoff.selectors import entries_of
from kluis.timeoff.services.entitlements import tranche_of

# A notice counts for an expiry when it was recorded at least this many days before it.
NOTICE_LEAD_DAYS = 28
CARRY = ":carry"
BALANCES_PAGE = "/time-off/"
ZERO = Decimal("0")
NOTICE_CHUNK = 250  # expiry notices told per transaction


def _system(tenant: Tenant) -> Actor:
    return Actor.system("timeoff expiry job", tenant)


def _tenants(tenant: Tenant | None) -> list[Tenant]:
    if tenant is not None:
        return [tenant]
    ids = LedgerEntry.objects.values_list("tenant_id", flat=True).distinct()
    return list(Tenant.objects.filter(pk__in=ids).order_by("pk"))


def _rows_by_balance(
    tenant: Tenant, pairs: set[tuple[int, int]]
) -> dict[tuple[int, int], list[LedgerEntry]]:
    employees = {e for e, _t in pairs}
    found: dict[tuple[int, int], list[LedgerEntry]] = defaultdict(list)
    for row in LedgerEntry.objects.for_tenant(tenant).filter(employee_id__in=employees):
        key = (row.employee_id, row.leave_type_id)
        if key in pairs:
            found[key].append(row)
    return found


def _per_day(tenant: Tenant, employee_ids: list[int], on: dt.date) -> dict[int, Decimal]:
    """Each employee's hours of a working day on `on` (8 without a contract)."""
    out = {}
    for employee_id, periods in calendar.work_periods(tenant, employee_ids).items():
        period = period_on(on, periods) or (periods[-1] if periods else None)
        out[employee_id] = (hours_per_day(period) if period else ZERO) or Decimal("8")
    return out


def _cap_hours(leave_type: LeaveType, per_day: Decimal) -> Decimal | None:
    if leave_type.carry_over_limit is None:
        return None
    if leave_type.unit == Unit.DAYS:
        return (leave_type.carry_over_limit * per_day).quantize(CENT)
    return leave_type.carry_over_limit


def _carry_targets(
    tenant: Tenant, types: dict[int, LeaveType], year: int
) -> dict[int, tuple[str, dt.date | None]]:
    """Types whose `year` tranche carries over capped past 1 January of the next year:
    type id -> (tranche, its expiry)."""
    country = calendar.settings_of(tenant).country
    targets = {}
    new_year = dt.date(year + 1, 1, 1)
    for leave_type in types.values():
        if leave_type.carry_over_limit is None or leave_type.rule == "nl_statutory":
            continue
        key, expires = tranche_of(leave_type, country, year)
        if expires is None or expires > new_year:
            targets[leave_type.pk] = (key, expires)
    return targets


def _amount(leave_type: LeaveType, hours: Decimal, per_day: Decimal) -> str:
    if leave_type.unit == Unit.DAYS:
        return _("%(days)s days") % {"days": (hours / per_day).quantize(CENT)}
    return _("%(hours)s hours") % {"hours": hours}


def _tell_employee(
    member: Membership | None, leave_type: LeaveType, hours: Decimal, on: dt.date, per_day: Decimal
) -> None:
    if member is None:
        return

    def compose() -> tuple[str, str]:
        title = _("%(type)s: days expire soon") % {"type": leave_type.name}
        body = _("%(amount)s of your %(type)s expire on %(date)s. Plan them before then.") % {
            "amount": _amount(leave_type, hours, per_day),
            "type": leave_type.name,
            "date": date_format(on, "DATE_FORMAT"),
        }
        return title, body

    notify([member], topic="timeoff.expiry", compose=compose, url=BALANCES_PAGE)


def send_expiry_notices(today: dt.date | None = None, *, tenant: Tenant | None = None) -> int:
    """Record and send the notices due by `today`; how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    for company in _tenants(tenant):
        sent += _notices_of(company, today)
    return sent


def _notices_of(tenant: Tenant, today: dt.date) -> int:
    warn = calendar.settings_of(tenant).warn_days_before_expiry
    horizon = today + dt.timedelta(days=warn)
    types = {t.pk: t for t in LeaveType.objects.for_tenant(tenant) if t.counts_balance}
    carry = _carry_targets(tenant, types, today.year) if horizon.year > today.year else {}
    window = Q(expires_on__gt=today, expires_on__lte=horizon)
    if carry:
        window |= Q(leave_type_id__in=list(carry), year=today.year)
    pairs = set(
        LedgerEntry.objects.for_tenant(tenant)
        .filter(window, leave_type_id__in=list(types))
        .values_list("employee_id", "leave_type_id")
        .distinct()
    )
    if not pairs:
        return 0
    # A tranche is told once per expiry date: a date moved later (extended, carried over)
    # is told again, updating its notice.
    done = {
        (employee_id, type_id, key): (pk, on)
        for pk, employee_id, type_id, key, on in ExpiryNotice.objects.for_tenant(tenant)
        .filter(employee_id__in={e for e, _t in pairs})
        .values_list("pk", "employee_id", "leave_type_id", "tranche", "expires_on")
    }
    per_day = _per_day(tenant, sorted({e for e, _t in pairs}), today)
    employees = Employee.objects.for_tenant(tenant).in_bulk({e for e, _t in pairs})
    now = timezone.now()
    made: list[tuple[ExpiryNotice, Decimal]] = []
    for (employee_id, type_id), rows in _rows_by_balance(tenant, pairs).items():
        leave_type = types[type_id]
        pots = law.tranches(entries_of(rows))  # after planned leave
        for pot in pots:
            due: list[tuple[str, dt.date, Decimal]] = []
            if pot.expires_on and today < pot.expires_on <= horizon and pot.remaining > 0:
                due.append((pot.key, pot.expires_on, pot.remaining))
            target = carry.get(type_id)
            if target and pot.key == target[0]:
                cap = _cap_hours(leave_type, per_day[employee_id]) or ZERO
                new_year = dt.date(today.year + 1, 1, 1)
                if pot.remaining > cap and new_year <= horizon:
                    due.append((pot.key + CARRY, new_year, pot.remaining - cap))
            for key, on, hours in due:
                earlier = done.get((employee_id, type_id, key))
                if earlier is not None and earlier[1] == on:
                    continue
                notice = ExpiryNotice(
                    pk=earlier[0] if earlier is not None else None,
                    tenant=tenant,
                    employee_id=employee_id,
                    leave_type_id=type_id,
                    tranche=key,
                    expires_on=on,
                    hours=hours,
                    sent_at=now,
                )
                made.append((notice, per_day[employee_id]))
    if not made:
        return 0
    # In chunks, each its own transaction with its audit event: in December every
    # employee of a large company is told at once, and one transaction for all of them
    # held SQLite's write lock long enough for other writers (a sign-in, an API key's
    # last use) to give up. A chunk told is never told again (its notices are written),
    # so a run that stops halfway is finished by the next.
    for start in range(0, len(made), NOTICE_CHUNK):
        _write_notices(tenant, types, employees, made[start : start + NOTICE_CHUNK], today)
    return len(made)


def _write_notices(
    tenant: Tenant,
    types: dict[int, LeaveType],
    employees: dict[int, Employee],
    chunk: list[tuple[ExpiryNotice, Decimal]],
    today: dt.date,
) -> None:
    members = Membership.objects.select_related("user").in_bulk(
        {employees[n.employee_id].membership_id for n, _d in chunk} - {None}
    )
    with transaction.atomic():
        ExpiryNotice.objects.bulk_create([notice for notice, _d in chunk if notice.pk is None])
        ExpiryNotice.objects.bulk_update(
            [notice for notice, _d in chunk if notice.pk is not None],
            ["expires_on", "hours", "sent_at"],
        )
        for notice, day in chunk:
            _tell_employee(
                members.get(employees[notice.employee_id].membership_id),
                types[notice.leave_type_id],
                notice.hours,
                notice.expires_on,
                day,
            )
        record(
            _system(tenant),
            "balances.expiry_notices_sent",
            tenant=tenant,
            object_type="timeoff.expirynotice",
            object_repr=f"expiry notices {today.isoformat()}",
            changes={"notices": {"old": None, "new": len(chunk)}},
        )


def in_time(notice: ExpiryNotice, warn_days: int) -> bool:
    """A notice counts when recorded at least 4 weeks (or the company's shorter warning
    period) before the day the hours go."""
    lead = min(NOTICE_LEAD_DAYS, warn_days)
    return timezone.localdate(notice.sent_at) <= notice.expires_on - dt.timedelta(days=lead)


def apply_expiries(today: dt.date | None = None, *, tenant: Tenant | None = None) -> int:
    """Write the carry-overs and expiries due by `today`; how many lines were written."""
    today = today or timezone.localdate()
    written = 0
    for company in _tenants(tenant):
        written += _expiries_of(company, today)
    return written


def _expiries_of(tenant: Tenant, today: dt.date) -> int:
    warn = calendar.settings_of(tenant).warn_days_before_expiry
    types = {t.pk: t for t in LeaveType.objects.for_tenant(tenant) if t.counts_balance}
    carry = _carry_targets(tenant, types, today.year - 1)
    new_year = dt.date(today.year, 1, 1)
    due = Q(expires_on__lte=today)
    if carry:
        due |= Q(leave_type_id__in=list(carry), year=today.year - 1)
    pairs = set(
        LedgerEntry.objects.for_tenant(tenant)
        .filter(due, leave_type_id__in=list(types))
        .values_list("employee_id", "leave_type_id")
        .distinct()
    )
    if not pairs:
        return 0
    notices: dict[tuple[int, int], dict[str, dt.date]] = defaultdict(dict)
    for notice in ExpiryNotice.objects.for_tenant(tenant).filter(
        employee_id__in={e for e, _t in pairs}
    ):
        if in_time(notice, warn):
            notices[(notice.employee_id, notice.leave_type_id)][notice.tranche] = notice.expires_on
    per_day = _per_day(tenant, sorted({e for e, _t in pairs}), new_year - dt.timedelta(1))
    actor = _system(tenant)
    lines: list[LedgerEntry] = []
    kept: list[tuple[int, int, str, Decimal]] = []
    for (employee_id, type_id), rows in _rows_by_balance(tenant, pairs).items():
        entries = entries_of(rows)
        # A notice counts for the date it announced: not for a date moved since.
        expiry_of = {pot.key: pot.expires_on for pot in law.tranches(entries, today)}
        told = {
            key
            for key, on in notices.get((employee_id, type_id), {}).items()
            if on == (new_year if key.endswith(CARRY) else expiry_of.get(key))
        }
        new: list[law.Entry] = []
        target = carry.get(type_id)
        if target and not any(
            r.kind == EntryKind.CORRECTION
            and r.tranche == target[0]
            and r.effective == new_year
            and r.hours == 0
            for r in rows
        ):
            cap = _cap_hours(types[type_id], per_day[employee_id])
            carried = law.capped_carry_over(entries, target[0], new_year, cap=cap, until=target[1])
            lapsing = any(e.kind == law.Kind.EXPIRY for e in carried)
            if lapsing and target[0] + CARRY not in told:
                excess = sum((-e.hours for e in carried if e.kind == law.Kind.EXPIRY), ZERO)
                kept.append((employee_id, type_id, target[0], excess))
                carried = [e for e in carried if e.kind != law.Kind.EXPIRY]
            new += carried
        after = entries + new
        new += law.due_expiries(after, today, notified=told)
        for pot in law.unnotified_expiries(after, today, notified=told):
            if pot.expires_on == today:
                kept.append((employee_id, type_id, pot.key, pot.remaining))
        lines += [
            LedgerEntry(
                tenant=tenant,
                employee_id=employee_id,
                leave_type_id=type_id,
                kind=entry.kind.value,
                hours=entry.hours,
                effective=entry.effective,
                year=entry.effective.year,
                tranche=entry.tranche,
                expires_on=entry.expires_on,
                note=entry.note[:300],
                actor_label=actor.label,
            )
            for entry in new
        ]
    if not lines and not kept:
        return 0
    with transaction.atomic():
        LedgerEntry.objects.bulk_create(lines, batch_size=500)
        if kept:
            _tell_hr(tenant, types, kept)
        record(
            actor,
            "balances.expired",
            tenant=tenant,
            object_type="timeoff.ledgerentry",
            object_repr=f"expiries {today.isoformat()}",
            changes={
                "lines": {"old": None, "new": len(lines)},
                "kept_without_notice": {"old": None, "new": len(kept)},
            },
        )
    return len(lines)


def _tell_hr(
    tenant: Tenant, types: dict[int, LeaveType], kept: list[tuple[int, int, str, Decimal]]
) -> None:
    people = Employee.objects.for_tenant(tenant).in_bulk({k[0] for k in kept})
    listing = "\n".join(
        f"- {people[e].display_name if e in people else e}: {types[t].name} {key}, {hours} h"
        for e, t, key, hours in kept
    )

    def compose() -> tuple[str, str]:
        title = _("Leave kept: its expiry was not announced in time")
        body = _(
            "These hours would have expired today, but the employee was not told at least "
            "4 weeks before, so they are kept. Extend or correct them in the balance:"
        )
        return title, f"{body}\n{listing}"

    notify(hr_members(tenant.pk, "timeoff.manage"), topic="timeoff.expiry_kept", compose=compose)
