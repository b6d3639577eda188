"""Starting an offboarding and the steps of its four-eyes approval.

`request_offboarding` (HR, `offboarding.request`) records the leaver, the last working
day, the reason, the moment and the named owner of the integrations the leaver made, and
asks for a second person's approval (kluis.approvals, action `offboarding.revoke_access`).
The approval applies `approve` (kluis/offboarding/approval.py): the moment is fixed and,
when it is now, the execution task is queued at once; the worker carries out every due
one (kluis/offboarding/revocation.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.access.models import RoleAssignment
from kluis.audit.services import record
from kluis.integrations.events import emit
from kluis.offboarding import hooks, moments
from kluis.offboarding.models import Moment, Offboarding, Status
from kluis.people.models import Employee
from kluis.tenancy.models import Membership

REQUEST = "offboarding.request"
APPROVE = "offboarding.approve"
MAX_DAYS_AHEAD = 366


def _same_company(actor: Actor, tenant_id: int) -> None:
    if not actor.is_system and (actor.tenant is None or actor.tenant.pk != tenant_id):
        raise PermissionDenied(_("Not a member of this company."))


def _clean(
    actor: Actor, employee: Employee, data: dict[str, Any]
) -> tuple[dt.date, str, str, Membership | None]:
    errors: dict[str, list[str]] = {}
    last_day = data.get("last_day")
    if isinstance(last_day, str):
        try:
            last_day = dt.date.fromisoformat(last_day.strip())
        except ValueError:
            last_day = None
            errors["last_day"] = [_("Enter a valid date.")]
    if not isinstance(last_day, dt.date):
        errors.setdefault("last_day", [_("This field is required.")])
    elif last_day > timezone.localdate() + dt.timedelta(days=MAX_DAYS_AHEAD):
        errors["last_day"] = [_("The last working day is at most a year ahead.")]
    reason = str(data.get("reason") or "").strip()
    if not reason:
        errors["reason"] = [_("This field is required.")]
    elif len(reason) > 500:
        errors["reason"] = [_("Use at most %(n)d characters.") % {"n": 500}]
    moment = str(data.get("moment") or "")
    if moment not in Moment.values:
        errors["moment"] = [_("Choose when access ends.")]
    heir = _heir(actor, employee, data.get("handover_to"), errors)
    if errors:
        raise ValidationError(errors)
    assert isinstance(last_day, dt.date)
    return last_day, reason, moment, heir


def _heir(
    actor: Actor, employee: Employee, value: Any, errors: dict[str, list[str]]
) -> Membership | None:
    """The named owner: an active member of the company, not the leaver; by default the
    requester."""
    if value in (None, ""):
        if actor.membership is None:  # an API client asks: it names the member
            errors["handover_to"] = [_("Name the member who receives their integrations.")]
        return actor.membership
    pk = value.pk if isinstance(value, Membership) else value
    try:
        heir = (
            Membership.objects.for_tenant(employee.tenant_id)
            .filter(pk=int(pk), is_active=True)
            .first()
        )
    except (TypeError, ValueError):
        heir = None
    if heir is None:
        errors["handover_to"] = [_("Choose an active member of the company.")]
    elif heir.pk == employee.membership_id:
        errors["handover_to"] = [_("The leaver cannot receive their own integrations.")]
    return heir


def _check_leaver(actor: Actor, employee: Employee) -> None:
    leaver = employee.membership
    if actor.user_id is not None and leaver is not None and leaver.user_id == actor.user_id:
        raise PermissionDenied(_("You cannot start your own offboarding."))
    if employee.membership_id is None:
        return
    owners = RoleAssignment.objects.for_tenant(employee.tenant_id).filter(
        role__builtin_key="owner", membership__is_active=True
    )
    if (
        owners.filter(membership_id=employee.membership_id).exists()
        and not owners.exclude(membership_id=employee.membership_id).exists()
    ):
        raise ValidationError(_("The company's last owner cannot be offboarded."))


def request_offboarding(actor: Actor, employee: Employee, data: dict[str, Any]) -> Offboarding:
    """Start an offboarding; it waits for a second person's approval."""
    _same_company(actor, employee.tenant_id)
    authorize(actor, REQUEST)
    _check_leaver(actor, employee)
    last_day, reason, moment, heir = _clean(actor, employee, data)
    try:
        with transaction.atomic():
            offboarding = Offboarding.objects.create(
                tenant_id=employee.tenant_id,
                employee=employee,
                membership_id=employee.membership_id,
                last_day=last_day,
                reason=reason,
                moment=moment,
                handover_to=heir,
                requested_by_id=actor.user_id,
                requested_by_label=actor.label[:254],
            )
            record(
                actor,
                "offboarding.requested",
                tenant=employee.tenant,
                target=offboarding,
                object_repr=str(employee),
                changes={
                    "last_day": {"old": None, "new": last_day.isoformat()},
                    "moment": {"old": None, "new": moment},
                    "handover_to": {"old": None, "new": heir.pk if heir else None},
                },
            )
            emit(
                "offboarding.requested",
                tenant=employee.tenant,
                target=offboarding,
                payload={"employee": employee.pk, "moment": moment},
            )
            from kluis.offboarding.approval import ask_for_approval

            ask_for_approval(actor, offboarding)
            hooks.tell("started", actor, offboarding)
    except IntegrityError:
        raise ValidationError(
            _("An offboarding of this person is already waiting or scheduled.")
        ) from None
    return offboarding


def approve(actor: Actor, offboarding: Offboarding) -> Offboarding:
    """Applied by the approvals core when a second person approved (`actor`: the approver,
    stamped with the approval): fix the moment and, when it is now, queue the execution
    at once (the worker would find it within a minute anyway). Nothing else approves."""
    _same_company(actor, offboarding.tenant_id)
    from kluis.offboarding.approval import ACTION

    stamp = actor.approval
    if (
        stamp is None
        or stamp.action != ACTION
        or stamp.request_id != offboarding.approval_request_id
    ):
        raise PermissionDenied(_("An offboarding is approved only through its approval request."))
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Offboarding.objects.for_tenant(offboarding.tenant_id)
            .select_for_update()
            .select_related("tenant", "employee")
            .get(pk=offboarding.pk)
        )
        if locked.status != Status.REQUESTED:
            raise ValidationError(_("This offboarding is no longer waiting for approval."))
        locked.status = Status.APPROVED
        locked.approved_by_id = actor.user_id
        locked.approved_by_label = stamp.approved_by[:254]
        locked.approved_at = now
        locked.effective_at = moments.effective_at(
            locked.tenant, locked.moment, locked.last_day, now
        )
        locked.save(
            update_fields=[
                "status",
                "approved_by",
                "approved_by_label",
                "approved_at",
                "effective_at",
            ]
        )
        record(
            actor,
            "offboarding.approved",
            tenant=locked.tenant,
            target=locked,
            object_repr=str(locked.employee),
            changes={
                "status": {"old": Status.REQUESTED.value, "new": Status.APPROVED.value},
                "effective_at": {"old": None, "new": locked.effective_at.isoformat()},
            },
        )
        emit(
            "offboarding.approved",
            tenant=locked.tenant,
            target=locked,
            payload={"employee": locked.employee_id},
        )
        if locked.effective_at <= now:
            from kluis.offboarding.tasks import execute_offboarding

            pk = locked.pk
            transaction.on_commit(lambda: execute_offboarding.enqueue(pk))
    return locked


def close_unapproved(offboarding: Offboarding, what: str, reason: str = "") -> None:
    """Its approval request was rejected, withdrawn, expired, stale or failed (in that
    change's transaction): the offboarding closes, and a new one may be started."""
    updated = (
        Offboarding.objects.for_tenant(offboarding.tenant_id)
        .filter(pk=offboarding.pk, status=Status.REQUESTED)
        .update(status=Status.REJECTED, rejected_reason=(reason or what)[:500])
    )
    if updated:
        record(
            Actor.system("offboarding", offboarding.tenant),
            "offboarding.rejected",
            tenant=offboarding.tenant,
            target=offboarding,
            object_repr=str(offboarding.employee),
            changes={
                "status": {"old": Status.REQUESTED.value, "new": Status.REJECTED.value},
                "approval": what,
            },
        )
