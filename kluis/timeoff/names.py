"""Who asked for and who decided a leave request, by name. A request keeps the label of
the account that acted (its login e-mail, kept as the audit trail has it); pages show
the person behind it: the employee's name when the account is an employee of the same
company, else the account's own name, else the stored label (an account gone from the
company, a system job, an API client)."""

from __future__ import annotations

from collections.abc import Iterable

from kluis.people.models import Employee
from kluis.tenancy.models import Membership
from kluis.timeoff.models import LeaveRequest

FIELDS = ("requested_by", "first_approver", "decided_by")


def names_of(tenant_id: int, labels: Iterable[str]) -> dict[str, str]:
    """label -> name for the labels that are accounts of this company (only those)."""
    wanted = {label for label in labels if label and "@" in label}
    if not wanted:
        return {}
    found: dict[str, str] = {}
    members = (
        Membership.objects.for_tenant(tenant_id)
        .filter(user__email__in=wanted)
        .select_related("user")
    )
    by_member = {m.pk: m for m in members}
    employees = Employee.objects.for_tenant(tenant_id).filter(membership__in=list(by_member))
    for employee in employees:
        member = by_member.get(employee.membership_id or 0)
        if member is not None and employee.display_name:
            found[member.user.email] = employee.display_name
    for member in by_member.values():
        own = member.user.get_full_name()
        if member.user.email not in found and own:
            found[member.user.email] = own
    return found


def with_names(requests: Iterable[LeaveRequest]) -> list[LeaveRequest]:
    """The requests, each with `requested_by_name`, `first_approver_name` and
    `decided_by_name` to show (a name, else the stored label)."""
    rows = list(requests)
    by_tenant: dict[int, set[str]] = {}
    for row in rows:
        by_tenant.setdefault(row.tenant_id, set()).update(getattr(row, f) for f in FIELDS)
    names = {tenant: names_of(tenant, labels) for tenant, labels in by_tenant.items()}
    for row in rows:
        known = names.get(row.tenant_id, {})
        for field in FIELDS:
            label = getattr(row, field)
            setattr(row, f"{field}_name", known.get(label, label))
    return rows
