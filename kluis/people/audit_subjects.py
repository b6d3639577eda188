"""What the audit log learns from the HR file (kluis.audit.subjects): who an event is about
and who did it, by name, and the profile an event links to. The log's readers see every
employee's name on it already (an employee's label is plain), so the person filter
searches the whole company; the link to a profile is there only for whoever may open it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.people.forms.pickers import employee_label, search_employees
from kluis.people.models import EmergencyContact, Employee, Employment, Wage, WageComponent
from kluis.people.permissions import scope_of
from kluis.people.views.display import detail_url
from kluis.tenancy.models import Membership


def find(actor: Actor, text: str) -> list[int]:
    query = Q()
    for word in text.split()[:4]:
        query &= (
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(preferred_name__icontains=word)
        )
    return list(Employee.objects.for_actor(actor).filter(query).values_list("pk", flat=True)[:200])


def names(actor: Actor, user_ids: Iterable[int]) -> dict[int, str]:
    rows = (
        Employee.objects.for_actor(actor)
        .filter(membership__user_id__in=list(user_ids))
        .values_list("membership__user_id", "preferred_name", "first_name", "last_name")
    )
    return {user: f"{preferred or first} {last}".strip() for user, preferred, first, last in rows}


def accounts(actor: Actor, employee_ids: list[int]) -> list[int]:
    return [
        user
        for user in Employee.objects.for_actor(actor)
        .filter(pk__in=employee_ids, membership__isnull=False)
        .values_list("membership__user_id", flat=True)
        if user is not None
    ]


def search(actor: Actor, text: str, limit: int) -> list[tuple[int, str]]:
    """The log's pickers: everyone of the company (who left too: events outlive them)."""
    found = search_employees(Employee.objects.for_actor(actor), text).only(
        "pk", "first_name", "last_name", "preferred_name", "employee_number"
    )
    return [(e.pk, employee_label(e)) for e in found[:limit]]


def labels(actor: Actor, employee_ids: list[int]) -> dict[int, str]:
    found = Employee.objects.for_actor(actor).filter(pk__in=employee_ids)
    return {e.pk: employee_label(e) for e in found}


def profile_link(actor: Actor, object_id: str) -> str:
    if not actor.is_system and scope_of(actor, "people.view") != Scope.COMPANY:
        return ""
    return detail_url(int(object_id)) or "" if object_id.isdigit() else ""


def register() -> None:
    from kluis.audit import subjects

    subjects.register_people(find, names)
    subjects.register_accounts(accounts)
    subjects.register_picker(search, labels)
    subjects.register_records("people.employee", Employee, "pk")
    for object_type, model in (
        ("people.employment", Employment),
        ("people.wage", Wage),
        ("people.wagecomponent", WageComponent),
        ("people.emergencycontact", EmergencyContact),
    ):
        subjects.register_records(object_type, model, "employee")
    # Events on a person's account in the company (a role granted, deactivated, their
    # notice preferences) name the membership: they are about the person too.
    for object_type in ("tenancy.membership", "company.noticepreference"):
        subjects.register_records(object_type, Membership, "employee")
    subjects.register_link("people.employee", profile_link)
