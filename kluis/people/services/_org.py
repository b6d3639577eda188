"""What the department and team services share: checking a change's fields, the choice of a
department (never an archived one, unless it is the value already held), archiving, and
counting what still names a department or team before it may be deleted."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.people.models import Department, Employee, EmployeeStatus, Employment, Team
from kluis.people.services._kit import collect
from kluis.tenancy.models import Tenant


class StillInUseError(Exception):
    """Deleting would quietly blank the department or team on contracts, people or teams
    that name it; the API answers 409 and nothing is deleted."""


def uses_text(counts: list[tuple[int, str]]) -> str:
    return ", ".join(text for count, text in counts if count)


def clean_changes(
    changes: Mapping[str, Any], cleaners: dict[str, Callable[[], Any]]
) -> dict[str, Any]:
    """The clean value of each field present in `changes`; unknown fields are errors too."""
    unknown = sorted(set(changes) - set(cleaners))
    if unknown:
        raise ValidationError({name: [_("This field cannot be set here.")] for name in unknown})
    return collect((name, cleaner) for name, cleaner in cleaners.items() if name in changes)


def flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(_("Answer true or false."))
    return value


def not_archived_message(value: Department | Team) -> list[str]:
    if isinstance(value, Team):
        return [_("The team %(name)s is archived; choose another.") % {"name": value.name}]
    return [_("The department %(name)s is archived; choose another.") % {"name": value.name}]


def not_archived(value: Department | Team | None, *, held: int | None = None) -> None:
    """An archived department or team is not offered for a new choice: refused unless it
    is the value the object already holds (`held`, its id)."""
    if value is None or value.archived_at is None or value.pk == held:
        return
    raise ValidationError(not_archived_message(value))


def own_department(value: Any, tenant: Tenant, *, held: int | None = None) -> Department | None:
    """A department of the company that is not archived (or is the one already `held`)."""
    if value is not None and (not isinstance(value, Department) or value.tenant_id != tenant.pk):
        raise ValidationError(_("Choose one from the list."))
    not_archived(value, held=held)
    return value


def set_archived(actor: Actor, current: Department | Team, archived: bool, kind: str) -> bool:
    """Archive (or bring back) the locked `current`, audited, with its domain event
    (`<kind>.archived` / `<kind>.unarchived`). False when it already was so."""
    if (current.archived_at is not None) == archived:
        return False
    before = current.archived_at
    current.archived_at = timezone.now() if archived else None
    current.save(update_fields=["archived_at"])
    action = f"{kind}.archived" if archived else f"{kind}.unarchived"
    record(
        actor,
        action,
        tenant=current.tenant,
        target=current,
        changes={
            "archived_at": {
                "old": before.isoformat() if before else None,
                "new": current.archived_at.isoformat() if current.archived_at else None,
            }
        },
    )
    emit(action, tenant=current.tenant, target=current)
    return True


def people_in(tenant: Tenant, **link: Any) -> int:
    """Employees who have not left whose current job names the department or team."""
    employees = Employee.objects.for_tenant(tenant).filter(**link)
    return employees.exclude(status=EmployeeStatus.LEFT).count()


def history_naming(tenant: Tenant, **link: Any) -> int:
    """Contracts (past ones too) and leavers that name the department or team: their
    history, which only archiving keeps intact."""
    leavers = Employee.objects.for_tenant(tenant).filter(status=EmployeeStatus.LEFT, **link)
    return max(Employment.objects.for_tenant(tenant).filter(**link).count(), leavers.count())


def people_text(count: int) -> tuple[int, str]:
    return (count, ngettext("%(count)d person", "%(count)d people", count) % {"count": count})


def refuse_history(count: int, kind: str) -> None:
    """Nothing current names it, but contracts do: archive instead of deleting."""
    if not count:
        return
    if kind == "team":
        message = ngettext(
            "%(count)d contract, past or present, names this team: archive it instead, so it "
            "stays on that history.",
            "%(count)d contracts, past or present, name this team: archive it instead, so it "
            "stays on that history.",
            count,
        )
    else:
        message = ngettext(
            "%(count)d contract, past or present, names this department: archive it instead, "
            "so it stays on that history.",
            "%(count)d contracts, past or present, name this department: archive it instead, "
            "so it stays on that history.",
            count,
        )
    raise StillInUseError(message % {"count": count})
