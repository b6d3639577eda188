"""Inviting employees to sign in (issue 13), one from the profile or many from the list.

An employee without a login gets one first: a user without a usable password and a
membership of the company (kluis.company.services.members.add_member) with the built-in
Employee role (their own data only; `grant_employee_role`), linked to the employee
(`link_login`). Then kluis.identity.invitations e-mails the single-use link.
Needs `tenancy.manage_members`, as adding a member does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.company.services.members import add_member
from kluis.company.services.roles import grant_employee_role
from kluis.identity import invitations
from kluis.identity.models import Invitation
from kluis.integrations.events import emit
from kluis.people.models import Employee, EmployeeStatus
from kluis.tenancy.models import Membership

PERMISSION = invitations.PERMISSION

# What an employee's login looks like to HR (list column, profile badge).
ACTIVE, INVITED, NONE = "active", "invited", "none"


def _check(actor: Actor, employee: Employee) -> None:
    if actor.tenant is None or actor.tenant.pk != employee.tenant_id:
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, PERMISSION)


def link_login(actor: Actor, employee: Employee, membership: Membership) -> None:
    """Link the login (membership) of the same company to an employee who has none."""
    _check(actor, employee)
    if membership.tenant_id != employee.tenant_id:
        raise ValidationError(_("That login belongs to another company."))
    with transaction.atomic():
        current = Employee.objects.select_for_update().get(pk=employee.pk)
        if current.membership_id is not None:
            raise ValidationError(_("This employee already has a login."))
        if Employee.objects.filter(membership=membership).exists():
            raise ValidationError(_("That login belongs to another employee."))
        current.membership = membership
        current.save(update_fields=["membership", "updated_at"])
        employee.membership = membership
        record(
            actor,
            "employee.login_linked",
            tenant=current.tenant,
            target=current,
            changes={"membership": {"old": None, "new": membership.pk}},
        )
        emit(
            "employee.updated",
            tenant=current.tenant,
            target=current,
            payload={"fields": ["membership"]},
        )


def _login_for(actor: Actor, employee: Employee) -> Membership:
    """The employee's membership, made (and linked) from the work e-mail when missing."""
    if employee.membership_id is not None:
        return Membership.objects.select_related("user", "tenant").get(pk=employee.membership_id)
    if not employee.work_email:
        raise ValidationError(
            _("%(name)s has no work e-mail address to send the invitation to.")
            % {"name": employee.display_name}
        )
    assert actor.tenant is not None  # _check made sure
    existing = (
        Membership.objects.for_tenant(actor.tenant)
        .filter(user__email__iexact=employee.work_email, employee__isnull=True)
        .select_related("user", "tenant")
        .first()
    )
    membership = existing
    if membership is None:
        membership = add_member(
            actor,
            actor.tenant,
            email=employee.work_email,
            first_name=employee.preferred_name or employee.first_name,
            last_name=employee.last_name,
            job_title=employee.job_title,
        )
        # A new login of an employee can at least see and keep their own data.
        grant_employee_role(actor, membership)
    link_login(actor, employee, membership)
    return membership


def invite_employee(actor: Actor, employee: Employee, origin: str) -> Invitation:
    """Invite (or invite again) one employee; ValidationError says why not."""
    _check(actor, employee)
    if employee.status == EmployeeStatus.LEFT:
        raise ValidationError(_("%(name)s has left the company.") % {"name": employee.display_name})
    with transaction.atomic():
        membership = _login_for(actor, employee)
        return invitations.invite(actor, membership, origin)


@dataclass
class BulkResult:
    invited: list[Employee] = field(default_factory=list)
    skipped: list[tuple[Employee, str]] = field(default_factory=list)


def invite_employees(actor: Actor, employees: QuerySet[Employee], origin: str) -> BulkResult:
    """Invite each employee in its own transaction: one that cannot be invited (no work
    e-mail, already signs in, left) is reported, the others go ahead."""
    authorize(actor, PERMISSION)
    result = BulkResult()
    for employee in employees:
        try:
            invite_employee(actor, employee, origin)
        except ValidationError as error:
            result.skipped.append((employee, " ".join(error.messages)))
        else:
            result.invited.append(employee)
    return result


def without_login(employees: QuerySet[Employee]) -> QuerySet[Employee]:
    """The employees who cannot sign in and have no open invitation (still working here)."""
    return (
        with_login_state(employees)
        .exclude(status=EmployeeStatus.LEFT)
        .filter(Q(membership__isnull=True) | Q(login_password_set=False, login_invited=False))
    )


def with_login_state(employees: QuerySet[Employee]) -> QuerySet[Employee]:
    """Annotate `login_password_set` (a password, or an identity at the company's single
    sign-on) and `login_invited` (an open invitation)."""
    open_invitation = Invitation.objects.filter(
        membership_id=OuterRef("membership_id"),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
    )
    unusable = {"membership__user__password__startswith": UNUSABLE_PASSWORD_PREFIX}
    linked = SocialAccount.objects.filter(user_id=OuterRef("membership__user_id"))
    usable = (Q(membership__user__password__isnull=False) & ~Q(**unusable)) | Exists(linked)

    return employees.annotate(
        login_password_set=ExpressionWrapper(
            usable & Q(membership__isnull=False), output_field=BooleanField()
        ),
        login_invited=Exists(open_invitation),
    )


def login_state(employee: Employee) -> str:
    """ACTIVE (can sign in), INVITED (an open link, not used yet) or NONE."""
    password_set = getattr(employee, "login_password_set", None)
    invited = getattr(employee, "login_invited", None)
    if password_set is None or invited is None:
        if employee.membership_id is None:
            return NONE
        membership = employee.membership
        assert membership is not None
        if invitations.has_login(membership.user):
            return ACTIVE
        return (
            INVITED if invitations.pending_invitations(membership.tenant, [membership.pk]) else NONE
        )
    if employee.membership_id and password_set:
        return ACTIVE
    return INVITED if invited else NONE
