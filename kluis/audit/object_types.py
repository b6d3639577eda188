"""The object types of the audit log by name, in the reader's language: the filter's
"Object type" lists "Employee" / "Medewerker", not people.employee (the query value stays
the code). A type not named here reads as its model's verbose name, else as its code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

NAMES: dict[str, StrOrPromise] = {
    "identity.user": _("Account"),
    "identity.signinfailures": _("Failed sign-ins"),
    "identity.addressfailures": _("Failed sign-ins from an address"),
    "identity.knowndevice": _("Known device"),
    "identity.signinpolicy": _("Sign-in settings"),
    "identity.invitation": _("Invitation"),
    "identity.appsigningkey": _("App signing key"),
    "identity.apptokenfamily": _("App sign-in"),
    "identity.apprefreshtoken": _("App refresh token"),
    "identity.identityprovider": _("Identity provider"),
    "identity.signindomain": _("Sign-in domain"),
    "tenancy.tenant": _("Company"),
    "tenancy.membership": _("Membership"),
    "crypto.tenantkey": _("Company encryption key"),
    "access.role": _("Role"),
    "access.rolepermission": _("Role permission"),
    "access.roleassignment": _("Role assignment"),
    "audit.auditevent": _("Audit event"),
    "operations.outboxmessage": _("Outgoing message"),
    "operations.scheduledrun": _("Scheduled task"),
    "approvals.approvalpolicy": _("Approval policy"),
    "approvals.approvalrequest": _("Approval request"),
    "integrations.domainevent": _("Domain event"),
    "integrations.apiclient": _("API client"),
    "integrations.apikey": _("API key"),
    "integrations.oauthconnection": _("OAuth connection"),
    "integrations.webhooksubscription": _("Webhook subscription"),
    "integrations.webhookdelivery": _("Webhook delivery"),
    "company.notice": _("Notice"),
    "company.noticepreference": _("Notice preference"),
    "company.noticedigestschedule": _("Notice digest schedule"),
    "people.department": _("Department"),
    "people.team": _("Team"),
    "people.employee": _("Employee"),
    "people.emergencycontact": _("Emergency contact"),
    "people.employment": _("Contract"),
    "people.wage": _("Wage"),
    "people.wagecomponent": _("Wage component"),
    "people.customfielddefinition": _("Custom field"),
    "people.peoplesettings": _("People settings"),
    "people.employeeversion": _("Employee version"),
    "timeoff.leavetype": _("Leave type"),
    "timeoff.leaverequest": _("Leave request"),
    "timeoff.leaveday": _("Leave day"),
    "timeoff.absence": _("Absence"),
    "timeoff.ledgerentry": _("Leave balance entry"),
    "timeoff.balancecorrection": _("Balance correction"),
    "timeoff.expirynotice": _("Expiry notice"),
    "timeoff.holidaycertificate": _("Holiday certificate"),
    "timeoff.closingday": _("Closing day"),
    "timeoff.monthlock": _("Month lock"),
    "timeoff.timeoffsettings": _("Time-off settings"),
    "timeoff.calendarfeed": _("Calendar feed"),
    "checklists.checklistsettings": _("Checklist settings"),
    "checklists.checklisttemplate": _("Checklist template"),
    "checklists.templatetask": _("Template task"),
    "checklists.checklist": _("Checklist"),
    "checklists.checklisttask": _("Checklist task"),
    "offboarding.offboarding": _("Offboarding"),
    "backups.backuprun": _("Backup"),
    "status.incident": _("Incident"),
    "status.incidentupdate": _("Incident update"),
    "status.subscriber": _("Status subscriber"),
    "sandbox.sandbox": _("Sandbox"),
    "reports.report": _("Report"),
}


def object_type_label(object_type: str) -> str:
    """The name of an object type (`app_label.model`) in the reader's language."""
    name = NAMES.get(object_type)
    if name is not None:
        return str(name)
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    return capfirst(str(model._meta.verbose_name))
