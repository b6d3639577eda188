"""Tenant-scoped reads of the HR file, with field permissions. Reading a sensitive field
(national number, bank account, wages) is itself recorded in the audit log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404
from django.utils import timezone

from kluis.access import visibility
from kluis.access.actor import Actor
from kluis.api.compiled import Slots, plan_for, run
from kluis.audit.services import MASK, record
from kluis.crypto import vault
from kluis.people import read_audit
from kluis.people import validation as v
from kluis.people.fields import EMPLOYEE_FIELDS, WAGE_COMPONENT_PURPOSE, WAGE_PURPOSE
from kluis.people.models import Employee, EmployeeVersion, Employment, Wage, WageComponent
from kluis.people.permissions import actor_employee_id, can_on, scoped
from kluis.people.records import SENSITIVE_FIELDS, open_snapshot, sealed_value
from kluis.tenancy.models import Tenant


def employees_for(actor: Actor, permission: str = "people.view") -> QuerySet[Employee]:
    """The employees of the actor's company that `permission` reaches, ready for a list."""
    return scoped(actor, permission, Employee.objects.all()).select_related(
        "department", "team", "manager"
    )


def employee_for(actor: Actor, pk: Any, permission: str = "people.view") -> Employee:
    """One employee the actor may see; another company's or an unknown id gives 404."""
    try:
        return employees_for(actor, permission).get(pk=int(pk))
    except (Employee.DoesNotExist, TypeError, ValueError):
        raise Http404("No such employee") from None


def find_by_national_id(actor: Actor, value: str) -> Employee | None:
    """Exact lookup through the keyed blind index: no plaintext is stored or compared."""
    if actor.tenant is None:
        return None
    _country, compact = v.detect_national_id(value)
    index = vault.blind_index(actor.tenant.pk, "people.national_id", compact)
    return employees_for(actor, "people.view_identity").filter(national_id_index=index).first()


EMPLOYEE = "people.employee"


def visible_fields(actor: Actor, employee: Employee) -> list[str]:
    """The employee fields whose values this actor may see (the one visibility policy)."""
    return visibility.visible_fields(actor, EMPLOYEE, EMPLOYEE_FIELDS, subject=employee)


def relation(actor: Actor, employee: Employee) -> tuple[Any, ...]:
    """All that what `actor` may see of `employee` depends on (`can_on`): the company, and
    whether it is the actor's own record or one of their reports. Employees alike in this
    show the same fields, so a page decides visibility once per kind, not once per row."""
    own = actor_employee_id(actor)
    if own is None:
        return (employee.tenant_id,)
    return (employee.tenant_id, employee.pk == own, employee.manager_id == own)


def _audit_read(actor: Actor, employee: Employee, what: list[str]) -> None:
    audit_opened(actor, employee.tenant, set(what), [(employee.pk, employee.display_name)])


def profile(actor: Actor, employee: Employee, *, reveal: bool = True) -> dict[str, Any]:
    """The employee's fields this actor may see. Sealed ones are opened only with
    `reveal`, and opening a sensitive one is audited."""
    values: dict[str, Any] = {}
    opened: list[str] = []
    for name in visible_fields(actor, employee):
        spec = EMPLOYEE_FIELDS[name]
        if spec.sealed:
            if not reveal and spec.group != "personal":
                values[name] = MASK if getattr(employee, f"{name}_sealed") else ""
                continue
            values[name] = sealed_value(employee, name)
            if spec.sensitive and values[name]:
                opened.append(name)
        elif name in ("department", "team", "manager"):
            related = getattr(employee, name)
            values[name] = str(related) if related else ""
        else:
            values[name] = getattr(employee, name)
    _audit_read(actor, employee, [n for n in opened if EMPLOYEE_FIELDS[n].group != "personal"])
    return values


@dataclass
class WageRow:
    effective_from: dt.date
    amount: Decimal
    currency: str
    period: str


def wages(actor: Actor, employee: Employee) -> list[WageRow] | None:
    """Wage history, newest first; None when the actor may not see wages (audited read)."""
    if not can_on(actor, "people.view_salary", employee):
        return None
    rows = [
        WageRow(
            w.effective_from,
            Decimal(vault.unseal(employee.tenant_id, WAGE_PURPOSE, w.amount_sealed) or "0"),
            w.currency,
            w.period,
        )
        for w in employee.wages.all()
    ]
    _audit_read(actor, employee, ["wages"] if rows else [])
    return rows


def wage_components(actor: Actor, employee: Employee) -> list[tuple[WageComponent, Decimal]] | None:
    if not can_on(actor, "people.view_salary", employee):
        return None
    rows = [
        (
            c,
            Decimal(
                vault.unseal(employee.tenant_id, WAGE_COMPONENT_PURPOSE, c.amount_sealed) or "0"
            ),
        )
        for c in employee.wage_components.all()
    ]
    _audit_read(actor, employee, ["wage_components"] if rows else [])
    return rows


def history(actor: Actor, employee: Employee) -> list[EmployeeVersion]:
    """The employee's versions, newest first, each narrowed (in memory, never saved) to the
    changed fields and values this actor may see of this employee."""
    versions = list(employee.versions.order_by("-changed_at", "-pk"))
    for version in versions:
        version.changed_fields = visibility.visible_fields(
            actor, EMPLOYEE, version.changed_fields, subject=employee
        )
        for name in ("old_values", "snapshot"):
            values = getattr(version, name)
            shown = set(visibility.visible_fields(actor, EMPLOYEE, values, subject=employee))
            setattr(version, name, {k: val for k, val in values.items() if k in shown})
    return versions


def as_of(
    actor: Actor, employee: Employee, moment: dt.datetime, *, reveal: bool = True
) -> dict[str, Any] | None:
    """The record as it was at `moment` (the fields this actor may see), or None before hire.
    Without `reveal`, national number and IBAN stay masked and nothing is audited."""
    version = (
        employee.versions.filter(changed_at__lte=moment).order_by("-changed_at", "-pk").first()
    )
    if version is None:
        return None
    allowed = set(visible_fields(actor, employee))
    values = {k: val for k, val in version.snapshot.items() if k in allowed}
    sealed = [k for k in ("national_id", "iban", "address") if k in allowed]
    if sealed:
        opened = open_snapshot(employee.tenant_id, version.sealed_snapshot)
        if not reveal:
            opened = {
                k: (MASK if val and EMPLOYEE_FIELDS[k].group != "personal" else val)
                for k, val in opened.items()
            }
        values.update({k: opened.get(k, "") for k in sealed})
        _audit_read(
            actor,
            employee,
            [
                k
                for k in sealed
                if k in SENSITIVE_FIELDS
                and EMPLOYEE_FIELDS[k].group != "personal"
                and opened.get(k)
                and reveal
            ],
        )
    values["version"] = version.version
    values["changed_at"] = version.changed_at
    return values


def changes_since(actor: Actor, since: dt.datetime, *, limit: int = 500) -> list[dict[str, Any]]:
    """The change feed for integrations that sync: every field change after `since`, with
    old/new values; sensitive values masked unless the actor may see them."""
    if actor.tenant is None:
        return []
    versions = list(
        EmployeeVersion.objects.for_actor(actor)
        .filter(changed_at__gt=since, employee__in=employees_for(actor))
        .select_related("employee")
        .order_by("changed_at", "pk")[:limit]
    )
    feed: list[dict[str, Any]] = []
    for version in versions:
        for change in version_changes(actor, version):
            feed.append(
                {
                    "employee": version.employee_id,
                    "version": version.version,
                    "changed_at": version.changed_at,
                    "actor": version.actor_label,
                    **change,
                }
            )
    return feed


def version_changes(actor: Actor, version: EmployeeVersion) -> list[dict[str, Any]]:
    """{field, old, new} of each change of one version that this actor may see (wages need
    view_salary for that employee, private data view_personal): the same policy as the
    profile and History tab; the change feed page and the API's /changes/ show these."""
    shown = visibility.visible_fields(
        actor, EMPLOYEE, version.changed_fields, subject=version.employee
    )
    return changes_shown(shown, version.old_values, version.snapshot)


def changes_shown(
    fields: list[str], old_values: dict[str, Any], snapshot: dict[str, Any]
) -> list[dict[str, Any]]:
    """{field, old, new} of the changed `fields` a viewer may see, from a version's old
    values and snapshot: sealed values masked; a contract, wage or custom fields only
    say that they changed."""
    changes = []
    for field in fields:
        spec = EMPLOYEE_FIELDS.get(field)
        if field == "probation_end_date":  # a contract's end of probation: its old and new date
            old, new = old_values.get(field), snapshot.get(field)
        elif spec is None:
            old, new = None, None  # a contract, wage or custom fields: that it changed
        elif spec.sealed:
            old, new = MASK, MASK
        else:
            old, new = old_values.get(field), snapshot.get(field)
        changes.append({"field": field, "old": old, "new": new})
    return changes


# Job fields are stored as links; the API gives their ids.
_LINKED = {"department": "department_id", "team": "team_id", "manager": "manager_id"}


def _current_wages_query(tenant_id: int, ids: list[int], today: Any) -> QuerySet[Any]:
    """The current wages' query built as it is (when it cannot be compiled)."""
    return (
        Wage.objects.for_tenant(tenant_id)
        .filter(employee__in=ids, effective_from__lte=today)
        .order_by("employee_id", "-effective_from")
        .values_list("employee_id", "amount_sealed", "currency", "period", "effective_from")
    )


def _current_wages(actor: Actor, tenant_id: int, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The wage in force today for each employee of `ids` (one query), amounts unsealed."""
    today = timezone.localdate()
    current: dict[int, dict[str, Any]] = {}
    if actor.tenant is None or actor.tenant.pk != tenant_id or not ids:
        return current
    ids = sorted(set(ids))

    def build(slots: Slots) -> QuerySet[Any]:
        # Tuples, not model instances: an employee's whole wage history comes back here.
        return (
            Wage.objects.for_tenant(slots("tenant", "int"))
            .filter(
                employee__in=[slots(f"employee{i}", "int") for i in range(len(ids))],
                effective_from__lte=slots("today", "date"),
            )
            .order_by("employee_id", "-effective_from")
            .values_list("employee_id", "amount_sealed", "currency", "period", "effective_from")
        )

    # Compiled once per number of employees (kluis/api/compiled.py): a page of 20 asks
    # the same query with other ids every time.
    values = {"tenant": tenant_id, "today": today}
    values.update({f"employee{i}": pk for i, pk in enumerate(ids)})
    plan = plan_for(("people.current_wages", len(ids)), build)
    rows = run(plan, values) if plan is not None else _current_wages_query(tenant_id, ids, today)
    for employee_id, sealed, currency, period, effective_from in rows:
        if employee_id not in current:
            current[employee_id] = _wage_shown(tenant_id, sealed, currency, period, effective_from)
    return current


def _wage_shown(
    tenant_id: int, sealed: str, currency: str, period: str, effective_from: Any
) -> dict[str, Any]:
    return {
        "amount": str(Decimal(open_wage_amount(tenant_id, sealed))),
        "currency": currency,
        "period": period,
        "effective_from": effective_from,
    }


def wage_in_force(tenant: Tenant | int, today: Any) -> Subquery:
    """For a query of employees: the wage in force on `today` of each (its sealed amount,
    currency, period and start, as a JSON object; null when none), for the employee list
    written by the database."""
    latest = (
        Wage.objects.for_tenant(tenant)
        .filter(employee_id=OuterRef("pk"), effective_from__lte=today)
        .order_by("-effective_from", "-id")
        .values(
            wage=JSONObject(
                amount_sealed="amount_sealed",
                currency="currency",
                period="period",
                effective_from="effective_from",
            )
        )[:1]
    )
    return Subquery(latest, output_field=JSONField())


def profiles(
    actor: Actor, employees: list[Employee], *, only: set[str] | None = None
) -> list[dict[str, Any]]:
    """The fields of each employee this actor may see (narrowed to `only`), for the API.

    Linked job fields are ids; `wage` is the wage in force today. Opening sealed identity,
    bank or wage values is audited once for the whole batch, naming the employees and
    fields, instead of once per row."""
    rows: list[dict[str, Any]] = []
    opened: set[str] = set()
    opened_for: list[int] = []
    want_wage = only is None or "wage" in only
    # (fields shown, wage shown) per relation of the actor to the employee.
    decided: dict[tuple[Any, ...], tuple[list[str], bool]] = {}
    kinds = []
    for employee in employees:
        kind = relation(actor, employee)
        if kind not in decided:
            shown = [
                name for name in visible_fields(actor, employee) if only is None or name in only
            ]
            decided[kind] = (shown, want_wage and can_on(actor, "people.view_salary", employee))
        kinds.append(decided[kind])
    wage_readers = [e for e, (_shown, wage) in zip(employees, kinds, strict=True) if wage]
    wages_now = (
        _current_wages(actor, employees[0].tenant_id, [e.pk for e in wage_readers])
        if wage_readers
        else {}
    )
    for employee, (shown, wage_shown) in zip(employees, kinds, strict=True):
        values: dict[str, Any] = {}
        opened_here = False
        if wage_shown:
            values["wage"] = wages_now.get(employee.pk)
            if values["wage"] is not None:
                opened.add("wage")
                opened_here = True
        for name in shown:
            spec = EMPLOYEE_FIELDS[name]
            if spec.sealed:
                values[name] = sealed_value(employee, name)
                if spec.sensitive and spec.group != "personal" and values[name]:
                    opened.add(name)
                    opened_here = True
            elif name in _LINKED:
                values[name] = getattr(employee, _LINKED[name])
            else:
                values[name] = getattr(employee, name)
        if opened_here:
            opened_for.append(employee.pk)
        rows.append(values)
    if opened_for and not actor.is_system:
        # The actor's company when it is theirs (it is, for every reader that may open a
        # sealed value): no company row loaded per page.
        tenant = actor.tenant
        if tenant is None or tenant.pk != employees[0].tenant_id:
            tenant = employees[0].tenant
        names = {e.pk: e.display_name for e in employees}
        audit_opened(actor, tenant, opened, [(pk, names[pk]) for pk in opened_for])
    return rows


def audit_opened(
    actor: Actor, tenant: Tenant, fields: set[str], employees: list[tuple[int, str]]
) -> None:
    """The one audit event of a read that opened sealed or wage values: the fields, and the
    employees (id, name) whose values were opened; none for the system itself. Every
    reader of such values records through here."""
    if not fields or not employees or actor.is_system:
        return
    if read_audit.gather(actor, tenant, fields, employees):
        return  # recorded once, when the page's `one_read_event()` block ends
    if len(employees) == 1:
        pk, name = employees[0]
        record(
            actor,
            "employee.sensitive_viewed",
            tenant=tenant,
            object_type=EMPLOYEE,
            object_id=pk,
            object_repr=name,
            changes={"fields": sorted(fields)},
            alone=True,
        )
    else:
        record(
            actor,
            "employee.sensitive_viewed",
            tenant=tenant,
            object_type=EMPLOYEE,
            object_repr=f"{len(employees)} employees",
            changes={"fields": sorted(fields), "employees": [pk for pk, _name in employees]},
            alone=True,
        )


# What a page written by the database carries besides each row's JSON, to name its
# employees in the audit event of the values it opened (kluis/people/api/employees.py).
OPENING_COLUMNS = ("id", "preferred_name", "first_name", "last_name")


def open_wage_amount(tenant_id: int, token: str | None) -> str:
    """A wage's sealed amount, opened ("0" for none)."""
    return vault.unseal(tenant_id, WAGE_PURPOSE, token) or "0"


def contract_periods(
    tenant: Tenant | int, employee_ids: list[int]
) -> dict[int, list[tuple[Any, Any, Decimal, list[Any]]]]:
    """Each employee's contract periods, oldest first, as (start, end, hours per week,
    weekly schedule): what their working days and leave entitlement are computed from."""
    periods: dict[int, list[tuple[Any, Any, Decimal, list[Any]]]] = {i: [] for i in employee_ids}
    rows = (
        Employment.objects.for_tenant(tenant)
        .filter(employee_id__in=employee_ids)
        .order_by("employee_id", "start_date")
        .values_list("employee_id", "start_date", "end_date", "hours_per_week", "weekly_schedule")
    )
    for employee_id, start, end, hours, schedule in rows:
        periods[employee_id].append((start, end, hours, list(schedule or [])))
    return periods
