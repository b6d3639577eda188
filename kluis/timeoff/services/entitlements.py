"""Writing the year's entitlements into the balance ledger (`grant_year`): for every
employee and every counted leave type, what the law (kluis/timeoff/law/) gives from their
contracts, less what the ledger already grants, as one line. Run by HR, the operators'
command and the daily job; idempotent (a second run writes nothing), so it also picks up
joiners, leavers and contract changes (a "correction" line).

Fast by construction: a handful of bulk reads for the whole company (contracts, absences,
certificates, the lines already written), pure arithmetic per employee, one bulk insert,
one audit event per run and no webhook per line."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.people.models import Employment
from kluis.tenancy.models import Tenant
from kluis.timeoff import calendar
from kluis.timeoff.law import entitlement as law
from kluis.timeoff.law.ledger import nl_tranches
from kluis.timeoff.law.schedule import CENT, WorkPeriod, segments_in
from kluis.timeoff.models import (
    Absence,
    AbsenceKind,
    Accrual,
    EntryKind,
    HolidayCertificate,
    LeaveType,
    LedgerEntry,
    Rule,
)
from kluis.timeoff.services._kit import same_company

MANAGE = "timeoff.manage"
ZERO = Decimal("0")
RECOMPUTED = "recomputed: contract changed"
COUNTED_RULES = (Rule.FIXED, Rule.BE_LEGAL, Rule.NL_STATUTORY)
# Kinds (and the correction note) that make up what the ledger grants for a year.
GRANTED = Q(kind__in=(EntryKind.GRANT, EntryKind.ACCRUAL)) | Q(
    kind=EntryKind.CORRECTION, note=RECOMPUTED
)
# Belgium: illness is assimilated to work during its first 12 months.
BE_SICK_ASSIMILATED_MONTHS = 12
BE_ASSIMILATED_KINDS = (AbsenceKind.SICKNESS, AbsenceKind.MATERNITY, AbsenceKind.BIRTH)
BATCH = 500


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` moved `months` calendar months on (the last day of a shorter month)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - every month has 28 days


def tranche_of(leave_type: LeaveType, country: str, year: int) -> tuple[str, dt.date | None]:
    """The tranche a year's entitlement of `leave_type` lands in, and its expiry date.

    NL statutory: "{year}-statutory", gone 1 July of the next year (BW 7:640a); a fixed
    type in a Dutch company is extra-statutory: "{year}-extra", gone 5 years after the year
    (BW 7:642); else "{year}", gone `expires_after_months` after the year's end (never when
    that is empty)."""
    if leave_type.rule == Rule.NL_STATUTORY:
        return nl_tranches(year)[0]
    if leave_type.rule == Rule.FIXED and country == "NL":
        return nl_tranches(year)[1]
    months = leave_type.expires_after_months
    return str(year), None if months is None else add_months(dt.date(year + 1, 1, 1), months)


def months_elapsed(year: int, today: dt.date) -> int:
    """The months of `year` begun by `today` (all 12 for a past year, none for a future)."""
    if today.year > year:
        return 12
    if today.year < year:
        return 0
    return today.month


def _weekdays(first: dt.date, last: dt.date) -> int:
    """Monday-to-Friday days from `first` to `last` (inclusive): days of a 5-day week."""
    if last < first:
        return 0
    days = (last - first).days + 1
    whole, rest = divmod(days, 7)
    count = whole * 5
    for offset in range(rest):
        if (first + dt.timedelta(days=whole * 7 + offset)).weekday() < 5:
            count += 1
    return count


@dataclass(frozen=True)
class AbsenceSpan:
    kind: str
    start: dt.date
    end: dt.date | None


def be_day_counts(
    service_year: int, periods: Sequence[WorkPeriod], absences: Iterable[AbsenceSpan]
) -> tuple[int, int]:
    """(assimilated, unassimilated) days of a 5-day week in the Belgian holiday service
    year, from the employee's sick periods and maternity/birth leave.

    Illness in the first 12 months of a sick period, maternity and birth leave count as
    work: inside a contract they are already counted (the months of service are), outside
    one they are assimilated days. Illness after its first 12 months, inside a contract, is
    not: unassimilated days, which reduce the months of service."""
    first, last = dt.date(service_year, 1, 1), dt.date(service_year, 12, 31)
    assimilated = unassimilated = 0
    for span in absences:
        start, end = max(span.start, first), min(span.end or last, last)
        if end < start:
            continue
        if span.kind == AbsenceKind.SICKNESS:
            covered_until = add_months(span.start, BE_SICK_ASSIMILATED_MONTHS) - dt.timedelta(1)
        else:
            covered_until = last
        for _period, seg_start, seg_end in segments_in(start, end, periods):
            late = max(seg_start, covered_until + dt.timedelta(1))
            unassimilated += _weekdays(late, seg_end)
        total_assimilable = _weekdays(start, min(end, covered_until))
        inside_assimilable = sum(
            _weekdays(s, min(e, covered_until))
            for _p, s, e in segments_in(start, min(end, covered_until), periods)
        )
        assimilated += max(0, total_assimilable - inside_assimilable)
    return assimilated, unassimilated


def yearly_hours(
    leave_type: LeaveType,
    year: int,
    periods: Sequence[WorkPeriod],
    *,
    certificate_days: Decimal | None = None,
    absences: Iterable[AbsenceSpan] = (),
) -> Decimal:
    """The full year's entitlement of one employee in hours."""
    if leave_type.rule == Rule.NL_STATUTORY:
        return law.nl_statutory(year, periods)
    if leave_type.rule == Rule.BE_LEGAL:
        assimilated, unassimilated = be_day_counts(year - 1, periods, absences)
        return law.be_legal_holiday(
            year,
            periods,
            periods,
            assimilated_days=assimilated,
            unassimilated_days=unassimilated,
            certificate_days=certificate_days,
        )
    # N days a year of a full-time five-day week, whatever the type's unit (which is only
    # how the balance is shown): each contract gets N x its weekly hours / 5, pro rata.
    return law.pro_rata_fixed(year, periods, leave_type.yearly_entitlement)


def accrued(hours: Decimal, months: int) -> Decimal:
    """What `months` twelfths of a year's `hours` are, rounded once (so 12 give all)."""
    return (hours * months / 12).quantize(CENT, rounding=ROUND_HALF_UP)


def _periods_by_employee(
    tenant: Tenant, first: dt.date, last: dt.date, employee_ids: list[int] | None
) -> dict[int, list[WorkPeriod]]:
    rows = (
        Employment.objects.for_tenant(tenant)
        .filter(start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .order_by("employee_id", "start_date")
        .values_list("employee_id", "start_date", "end_date", "hours_per_week", "weekly_schedule")
    )
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=employee_ids)
    periods: dict[int, list[WorkPeriod]] = defaultdict(list)
    for employee_id, start, end, hours, schedule in rows:
        # Clipped to the years read (the same entitlement), so equal patterns compare equal.
        start, end = max(start, first), None if end is None or end > last else end
        periods[employee_id].append(WorkPeriod.from_contract(start, end, hours, schedule or None))
    return periods


@dataclass(frozen=True)
class Line:
    """A ledger line to write (see LedgerEntry)."""

    employee_id: int
    leave_type_id: int
    kind: str
    hours: Decimal
    effective: dt.date
    year: int
    tranche: str
    expires_on: dt.date | None
    note: str = ""


def _line(
    employee_id: int,
    leave_type: LeaveType,
    kind: str,
    hours: Decimal,
    effective: dt.date,
    year: int,
    tranche: tuple[str, dt.date | None],
    note: str = "",
) -> Line:
    return Line(employee_id, leave_type.pk, kind, hours, effective, year, *tranche, note)


COLUMNS = (
    "tenant_id",
    "employee_id",
    "leave_type_id",
    "kind",
    "hours",
    "effective",
    "year",
    "tranche",
    "expires_on",
    "note",
    "actor_label",
    "created_at",
)


def insert_lines(tenant: Tenant, actor: Actor, lines: Sequence[Line]) -> None:
    """Many ledger lines in one statement per batch (executemany): a whole company's year
    in a few seconds, where building model instances would take most of the time."""
    ops = connection.ops
    table = connection.ops.quote_name(LedgerEntry._meta.db_table)
    columns = ", ".join(ops.quote_name(column) for column in COLUMNS)
    marks = ", ".join(["%s"] * len(COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names are ours
    label = actor.label[:254]
    created = ops.adapt_datetimefield_value(timezone.now())
    rows = [
        (
            tenant.pk,
            line.employee_id,
            line.leave_type_id,
            line.kind,
            ops.adapt_decimalfield_value(line.hours, 8, 2),
            ops.adapt_datefield_value(line.effective),
            line.year,
            line.tranche,
            ops.adapt_datefield_value(line.expires_on),
            line.note[:300],
            label,
            created,
        )
        for line in lines
    ]
    with connection.cursor() as cursor:
        for at in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[at : at + BATCH])


def grant_year(
    actor: Actor,
    tenant: Tenant,
    year: int,
    *,
    employee_ids: list[int] | None = None,
    today: dt.date | None = None,
) -> int:
    """Write `year`'s entitlements (and the monthly accruals due by `today`) for every
    employee with a contract touching the year (or, for the Belgian legal holiday, the
    year before): the difference between what the law gives and what the ledger already
    grants, one line per employee and leave type ("grant" the first time, "accrual" per
    month begun for a monthly type, "correction" when a contract changed since). How many
    lines were written."""
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    today = today or timezone.localdate()
    config = calendar.settings_of(tenant)
    types = list(
        LeaveType.objects.for_tenant(tenant).filter(rule__in=COUNTED_RULES, is_active=True)
    )
    if not types:
        return 0
    be = any(t.rule == Rule.BE_LEGAL for t in types)
    first = dt.date(year - 1 if be else year, 1, 1)
    last = dt.date(year, 12, 31)
    periods = _periods_by_employee(tenant, first, last, employee_ids)
    certificates: dict[int, Decimal] = {}
    absences: dict[int, list[AbsenceSpan]] = defaultdict(list)
    if be:
        certificates = dict(
            HolidayCertificate.objects.for_tenant(tenant)
            .filter(year=year)
            .values_list("employee_id", "days")
        )
        for employee_id, kind, start, end in (
            Absence.objects.for_tenant(tenant)
            .filter(kind__in=BE_ASSIMILATED_KINDS, start_date__lte=dt.date(year - 1, 12, 31))
            .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year - 1, 1, 1)))
            .values_list("employee_id", "kind", "start_date", "end_date")
        ):
            absences[employee_id].append(AbsenceSpan(kind, start, end))
    granted: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    accrued_months: dict[tuple[int, int], set[int]] = defaultdict(set)
    existing = (
        LedgerEntry.objects.for_tenant(tenant)
        .filter(GRANTED, year=year, leave_type_id__in=[t.pk for t in types])
        .values_list("employee_id", "leave_type_id", "kind", "hours", "effective")
    )
    if employee_ids is not None:
        existing = existing.filter(employee_id__in=employee_ids)
    for employee_id, type_id, kind, hours, effective in existing:
        granted[(employee_id, type_id)] += hours
        if kind == EntryKind.ACCRUAL:
            accrued_months[(employee_id, type_id)].add(effective.month)
    elapsed = months_elapsed(year, today)
    start_of_year = dt.date(year, 1, 1)
    correction_day = min(max(today, start_of_year), dt.date(year, 12, 31))
    lines: list[Line] = []
    known: dict[tuple[object, ...], Decimal] = {}
    for employee_id in sorted(set(periods) | {e for e, _t in granted}):
        mine = periods.get(employee_id, [])
        for leave_type in types:
            working = leave_type.rule == Rule.BE_LEGAL or segments_in(start_of_year, last, mine)
            if not working and not granted.get((employee_id, leave_type.pk)):
                continue
            # Many people share a contract pattern within the years read: compute it once.
            memo = (
                leave_type.pk,
                tuple(mine),
                certificates.get(employee_id),
                tuple(absences.get(employee_id, ())),
            )
            full = known.get(memo)
            if full is None:
                full = known[memo] = yearly_hours(
                    leave_type,
                    year,
                    mine,
                    certificate_days=certificates.get(employee_id),
                    absences=absences.get(employee_id, ()),
                )
            key = (employee_id, leave_type.pk)
            have = granted.get(key, ZERO)
            tranche = tranche_of(leave_type, config.country, year)
            if leave_type.accrual == Accrual.MONTHLY:
                done = accrued_months.get(key, set())
                for month in range(1, elapsed + 1):
                    if month in done:
                        continue
                    step = accrued(full, month) - accrued(full, month - 1)
                    if step:
                        lines.append(
                            _line(
                                employee_id,
                                leave_type,
                                EntryKind.ACCRUAL,
                                step,
                                dt.date(year, month, 1),
                                year,
                                tranche,
                            )
                        )
                        have += step
                target = accrued(full, elapsed)
                first_kind = EntryKind.ACCRUAL
            else:
                target = full
                first_kind = EntryKind.GRANT
            difference = target - have
            if not difference:
                continue
            if key in granted or leave_type.accrual == Accrual.MONTHLY:
                lines.append(
                    _line(
                        employee_id,
                        leave_type,
                        EntryKind.CORRECTION,
                        difference,
                        correction_day,
                        year,
                        tranche,
                        RECOMPUTED,
                    )
                )
            elif difference > 0:
                lines.append(
                    _line(
                        employee_id,
                        leave_type,
                        first_kind,
                        difference,
                        start_of_year,
                        year,
                        tranche,
                    )
                )
    if not lines:
        return 0
    with transaction.atomic():
        insert_lines(tenant, actor, lines)
        record(
            actor,
            "balances.granted",
            tenant=tenant,
            object_type="timeoff.ledgerentry",
            object_repr=f"entitlements {year}",
            changes={
                "year": {"old": None, "new": year},
                "lines": {"old": None, "new": len(lines)},
                "employees": {"old": None, "new": len({line.employee_id for line in lines})},
            },
        )
    return len(lines)
