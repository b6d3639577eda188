"""Removing every factor of an account (TOTP, passkeys, recovery codes) when its owner lost
them: the core of HR's "Reset two-factor authentication" (kluis.company.services.mfa
authorises it and records it in the acting company). An account is global, so its other
companies are told in their own audit logs, and its owner is e-mailed."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.core.mail import send_mail
from django.db import transaction
from django.tasks import task
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.identity.languages import speaking_to
from kluis.identity.models import User
from kluis.tenancy.rls import unnarrowed
from kluis.tenancy.selectors import memberships_of_user


def remove_all_factors(user: User, *, company_name: str, except_tenant_id: int) -> list[str]:
    """Delete the user's authenticators; the kinds removed. Each of the user's companies
    but `except_tenant_id` (whose own event the caller records) gets a system event.
    The owner is e-mailed after commit. Call inside the caller's transaction."""
    removed = sorted(set(Authenticator.objects.filter(user=user).values_list("type", flat=True)))
    Authenticator.objects.filter(user=user).delete()
    with unnarrowed():  # HR's request is narrowed to its own company
        _tell_other_companies(user, removed, company_name, except_tenant_id)
    user_id = user.pk
    transaction.on_commit(lambda: send_mfa_reset_notice.enqueue(user_id, company_name))
    return removed


def _tell_other_companies(
    user: User, removed: list[str], company_name: str, except_tenant_id: int
) -> None:
    for membership in memberships_of_user(user.pk):
        if membership.tenant_id == except_tenant_id:
            continue
        record(
            Actor.system("two-factor reset", membership.tenant),
            "mfa.reset",
            tenant=membership.tenant,
            object_type="identity.user",
            object_id=user.pk,
            object_repr=user.email,
            changes={"removed": removed, "by_company": company_name},
        )


@task()
def send_mfa_reset_notice(user_id: int, company_name: str) -> int:
    """E-mail a person that their two-factor authentication was reset."""
    user = User.objects.get(pk=user_id)
    with speaking_to(user):
        subject = _("Kluis: your two-factor authentication was reset")
        body = _(
            "An administrator of %(company)s reset the two-factor authentication of your "
            "Kluis account: your authenticator app, passkeys and recovery codes no longer "
            "work.\n\nSign in with your password and set up two-factor authentication "
            "again (your name's menu, Two-factor authentication).\n\nIf you did not ask "
            "for this, tell your HR department at once and change your password."
        ) % {"company": company_name}
    return send_mail(subject, body, None, [user.email])
