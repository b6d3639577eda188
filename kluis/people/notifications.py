"""Telling HR when an employee changes their own bank account (a classic fraud path)."""

from __future__ import annotations

from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from kluis.identity.languages import mail_each
from kluis.identity.models import User
from kluis.people.models import Employee
from kluis.tenancy.models import Membership


@task()
def send_bank_change_notice(employee_id: int) -> int:
    """E-mail everyone who keeps the company's bank data (no account number in the mail)."""
    employee = Employee.objects.select_related("tenant").get(pk=employee_id)
    recipients = User.objects.filter(
        pk__in=Membership.objects.for_tenant(employee.tenant_id)
        .filter(
            is_active=True,
            role_assignments__role__permissions__permission="people.view_bank",
            role_assignments__role__permissions__scope="company",
        )
        .values("user_id")
    ).order_by("email")

    def compose() -> tuple[str, str]:
        subject = _("Kluis: %(name)s changed their bank account") % {"name": employee.display_name}
        body = _(
            "%(name)s (employee %(number)s) changed the bank account in their profile in "
            "%(company)s.\nIf this was not expected, check with them before the next payroll "
            "run."
        ) % {
            "name": employee.display_name,
            "number": employee.employee_number,
            "company": employee.tenant.name,
        }
        return subject, body

    return mail_each(recipients, compose)  # each in their own language


def notify_hr_of_bank_change(employee: Employee) -> None:
    """Queue the notice when the change commits (never for a rolled-back change)."""
    employee_id = employee.pk
    transaction.on_commit(lambda: send_bank_change_notice.enqueue(employee_id))
