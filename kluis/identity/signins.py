"""Every sign-in and failed sign-in is an audit event of the account's companies (the
address, the browser, the method); a sign-in from a browser the person has not used
before is e-mailed to them, so a stolen password does not go unnoticed."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from allauth.account.authentication import get_authentication_records
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.audit.models import AuditEvent
from kluis.identity.brute_force import audit_for_user
from kluis.identity.devices import describe_agent
from kluis.identity.languages import speaking_to
from kluis.identity.models import KnownDevice, User
from kluis.operations.client_ip import client_ip
from kluis.tenancy.models import Tenant

AGENT_LENGTH = 200

# Told of a sign-in from a new browser (person, address, browser, when), inside the
# sign-in's transaction: kluis.company puts it in the person's inbox of each company.
NewDeviceListener = Callable[[User, str, str, dt.datetime], None]
_NEW_DEVICE_LISTENERS: list[NewDeviceListener] = []


def on_new_device(listener: NewDeviceListener) -> None:
    if listener not in _NEW_DEVICE_LISTENERS:
        _NEW_DEVICE_LISTENERS.append(listener)


def _agent(request: HttpRequest) -> str:
    return str(request.META.get("HTTP_USER_AGENT", ""))[:AGENT_LENGTH]


def failed(request: HttpRequest, login: str, method: str = "password") -> None:
    """A wrong password for an account (none is recorded for a login no account has)."""
    with transaction.atomic():
        audit_for_user(login)(
            "signin.failed",
            {"ip": client_ip(request.META), "user_agent": _agent(request), "method": method},
        )


def method_of(request: HttpRequest, user: User) -> str:
    """How this sign-in was made, from allauth's record of the session's authentications:
    "password", "password+totp", "password+recovery_codes", "password+webauthn" or
    "passkey" (passwordless)."""
    records = get_authentication_records(request, user)
    steps: list[str] = []
    for entry in records:
        if entry.get("reauthenticated"):
            continue
        if entry.get("method") == "mfa":
            if entry.get("passwordless"):
                return "passkey"
            steps.append(str(entry.get("type") or "mfa"))
        elif entry.get("method"):
            steps.append(str(entry["method"]))
    return "+".join(steps) or "password"


def succeeded(request: HttpRequest, user: User, method: str | None = None) -> None:
    """A sign-in: its audit events, and the new-device notice when the browser is new."""
    ip, agent, now = client_ip(request.META), _agent(request), timezone.now()
    fingerprint = hashlib.sha256(agent.encode()).hexdigest()
    with transaction.atomic():
        audit_for_user(user.email)(
            "signin.succeeded",
            {"ip": ip, "user_agent": agent, "method": method or method_of(request, user)},
        )
        device, created = KnownDevice.objects.get_or_create(
            user=user,
            fingerprint=fingerprint,
            defaults={"first_seen_at": now, "last_seen_at": now},
        )
        if not created:
            KnownDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
            return
        if not KnownDevice.objects.filter(user=user).exclude(pk=device.pk).exists():
            return  # the first browser ever: nothing to compare with
        for listener in _NEW_DEVICE_LISTENERS:
            listener(user, ip or "", agent, now)
        user_id = user.pk
        transaction.on_commit(
            lambda: send_new_device_notice.enqueue(user_id, ip or "", agent, now.isoformat())
        )


@task()
def send_new_device_notice(user_id: int, ip: str, agent: str, at: str) -> int:
    """E-mail a person that their account was signed in to from a new browser."""
    user = User.objects.get(pk=user_id)
    with speaking_to(user):
        subject = _("Kluis: a sign-in from a new browser")
        body = _(
            "Your Kluis account was signed in to from a browser it had not seen before.\n\n"
            "When: %(at)s (UTC)\nAddress: %(ip)s\nBrowser: %(agent)s\n\n"
            "If this was you, there is nothing to do. If it was not, change your password "
            "now and sign out the other sessions (your name's menu, Sessions)."
        ) % {
            "at": at[:19].replace("T", " "),
            "ip": ip or "?",
            "agent": describe_agent(agent) or "?",
        }
    return send_mail(subject, body, None, [user.email])


RECENT_ACTIONS = ("signin.succeeded", "signin.failed", "signin.blocked", "signin.unblocked")


def recent(user: User, tenant: Tenant | None, limit: int = 10) -> list[AuditEvent]:
    """A person's own recent sign-ins, failures and blocks, as recorded in the audit log of
    the company they are working in (each of their companies holds the same events)."""
    if tenant is None:
        return []
    return list(
        AuditEvent.objects.for_tenant(tenant)
        .filter(object_type="identity.user", object_id=str(user.pk), action__in=RECENT_ACTIONS)
        .order_by("-sequence")[:limit]
    )
