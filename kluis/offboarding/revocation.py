"""Carrying out an approved offboarding at its moment: every door of the leaver closes in
one transaction, and one audit event (`offboarding.executed`) says exactly what was
revoked and handed over (counts and ids).

Idempotent: the row moves from approved to executed by a conditional update first, so of
two workers (or a worker and the approval's own task) one carries it out and the other
finds nothing to do; anything failing rolls the whole of it back, and the offboarding is
marked failed (the admins are told) instead of being retried every minute."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from kluis.access.actor import Actor
from kluis.audit.services import record
from kluis.company.services.deactivation import deactivate_member
from kluis.identity.app_tokens import revoke_app_tokens
from kluis.identity.models import User
from kluis.identity.sessions import end_all_sessions
from kluis.integrations.events import emit
from kluis.offboarding import credentials, hooks, notices
from kluis.offboarding.models import Offboarding, Status
from kluis.people.models import EmployeeStatus
from kluis.people.services.contracts import end_employment, last_employment
from kluis.people.services.employees import update_employee
from kluis.tenancy.models import Membership
from kluis.tenancy.selectors import memberships_of_user

logger = logging.getLogger(__name__)

ACTOR_LABEL = "offboarding"


def due(now: dt.datetime | None = None) -> list[int]:
    """Approved offboardings whose moment has come (or passed while nobody looked)."""
    now = now or timezone.now()
    rows = Offboarding.objects.filter(
        status=Status.APPROVED, effective_at__lte=now, executed_at__isnull=True
    )
    return list(rows.order_by("effective_at", "pk").values_list("pk", flat=True))


def execute(offboarding_id: int, now: dt.datetime | None = None) -> bool:
    """Carry out one offboarding if it is approved and due; False when it is not (not yet,
    or another worker did it)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = Offboarding.objects.filter(
            pk=offboarding_id,
            status=Status.APPROVED,
            effective_at__lte=now,
            executed_at__isnull=True,
        ).update(status=Status.EXECUTED, executed_at=now)
        if not claimed:
            return False
        offboarding = Offboarding.objects.select_related(
            "tenant", "employee", "membership__user", "handover_to__user"
        ).get(pk=offboarding_id)
        actor = Actor.system(ACTOR_LABEL, offboarding.tenant)
        try:
            with transaction.atomic():
                revoked = _revoke(actor, offboarding, now)
        except ValidationError as exc:
            _fail(actor, offboarding, " ".join(exc.messages))
            return False
        offboarding.revoked = revoked
        offboarding.save(update_fields=["revoked"])
        record(
            actor,
            "offboarding.executed",
            tenant=offboarding.tenant,
            target=offboarding,
            object_repr=str(offboarding.employee),
            changes={
                "status": {"old": Status.APPROVED.value, "new": Status.EXECUTED.value},
                "requested_by": offboarding.requested_by_label,
                "approved_by": offboarding.approved_by_label,
                "executed_at": now.isoformat(),
                "revoked": revoked,
            },
        )
        emit(
            "offboarding.executed",
            tenant=offboarding.tenant,
            target=offboarding,
            payload={"employee": offboarding.employee_id, "counts": revoked["counts"]},
        )
        hooks.tell("executed", actor, offboarding)
        if any(revoked["handed_over"][kind] for kind in ("api_clients", "webhooks")):
            notices.tell_of_handover(offboarding)
    return True


def _fail(actor: Actor, offboarding: Offboarding, message: str) -> None:
    offboarding.status = Status.FAILED
    offboarding.executed_at = None
    offboarding.failure = message[:300]
    offboarding.save(update_fields=["status", "executed_at", "failure"])
    record(
        actor,
        "offboarding.failed",
        tenant=offboarding.tenant,
        target=offboarding,
        object_repr=str(offboarding.employee),
        changes={"status": {"old": Status.APPROVED.value, "new": Status.FAILED.value}},
    )
    notices.tell_of_failure(offboarding)


def _heir(offboarding: Offboarding) -> Membership | None:
    """Who the company's credentials go to: the named owner while still an active member,
    else the member who requested the offboarding."""
    requester = (
        Membership.objects.for_tenant(offboarding.tenant_id)
        .filter(user_id=offboarding.requested_by_id)
        .first()
        if offboarding.requested_by_id is not None
        else None
    )
    for candidate in (offboarding.handover_to, requester):
        if (
            candidate is not None
            and candidate.is_active
            and candidate.pk != offboarding.membership_id
        ):
            return candidate
    return None


def _revoke(actor: Actor, offboarding: Offboarding, now: dt.datetime) -> dict[str, Any]:
    revoked: dict[str, Any] = {
        "membership": None,
        "sessions": [],
        "app_token_families": [],
        "oauth_tokens": {"access": [], "refresh": []},
        "oauth_connections": [],
        "api_keys": [],
        "api_key_prefixes": [],
        "api_key_clients": [],
        "handed_over": {"to": None, "api_clients": [], "webhooks": []},
        "account_deactivated": False,
        "employment_ended": None,
        "marked_left": False,
    }
    membership = offboarding.membership
    if membership is not None:
        revoked.update(_close_access(actor, membership, now))
        heir = _heir(offboarding)
        if heir is not None:
            revoked["handed_over"] = {
                "to": heir.pk,
                **credentials.hand_over(membership, heir.user_id),
            }
    revoked.update(_leave(actor, offboarding))
    revoked["counts"] = {
        "sessions": len(revoked["sessions"]),
        "app_token_families": len(revoked["app_token_families"]),
        "oauth_tokens": sum(len(ids) for ids in revoked["oauth_tokens"].values()),
        "oauth_connections": len(revoked["oauth_connections"]),
        "api_keys": len(revoked["api_keys"]),
        "api_clients_handed_over": len(revoked["handed_over"]["api_clients"]),
        "webhooks_handed_over": len(revoked["handed_over"]["webhooks"]),
    }
    return revoked


def _close_access(actor: Actor, membership: Membership, now: dt.datetime) -> dict[str, Any]:
    user = membership.user
    assert isinstance(user, User)
    found: dict[str, Any] = {
        "membership": membership.pk,
        "sessions": credentials.session_ids(user.pk),
        "app_token_families": credentials.app_token_family_ids(user.pk),
        "oauth_tokens": credentials.oauth_token_ids(membership),
    }
    # App sign-ins first, while the membership still names this company in their audit.
    revoke_app_tokens(user, "offboarding")
    locked = Membership.objects.for_tenant(membership.tenant_id).get(pk=membership.pk)
    if locked.is_active:
        # Deactivation ends every session and the connected apps' tokens, and is audited.
        deactivate_member(actor, locked)
    else:
        end_all_sessions(user)
    found["oauth_connections"] = credentials.revoke_connections(membership, now)
    found.update(credentials.revoke_api_keys(membership, now))
    if not memberships_of_user(user.pk).exists() and user.is_active:
        # No company left: the account signs in nowhere (passwords, passkeys, SSO alike);
        # its two-factor devices are kept for the audit trail.
        User.objects.filter(pk=user.pk).update(is_active=False)
        found["account_deactivated"] = True
    return found


def _leave(actor: Actor, offboarding: Offboarding) -> dict[str, Any]:
    """The employee's last contract ends on the last day (if it ran on) and they are
    marked as left; their file stays, readable to whoever may read it."""
    employee = offboarding.employee
    done: dict[str, Any] = {}
    contract = last_employment(employee)
    if (
        contract is not None
        and contract.start_date <= offboarding.last_day
        and (contract.end_date is None or contract.end_date > offboarding.last_day)
    ):
        end_employment(actor, contract, offboarding.last_day)
        done["employment_ended"] = contract.pk
    employee.refresh_from_db()
    if employee.status != EmployeeStatus.LEFT:
        update_employee(
            actor, employee, {"status": EmployeeStatus.LEFT}, expected_version=employee.version
        )
        done["marked_left"] = True
    return done
