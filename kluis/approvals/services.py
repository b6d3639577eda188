"""The two-person rule's services: hold an action, approve, reject, withdraw, expire.

A service that performs a sensitive action calls `gate()` after its own checks and before
it writes: when the company holds that action for a second approver (or the action is
always held), the request is stored in a transaction of its own and `HeldForApproval` is
raised; nothing else changed. Approving applies the request through the action's own
service with the approver's actor stamped with the approval (`Actor.approval`), which the
gate lets through and the audit log records with both names. Nobody approves their own
request (the same user, whichever of their memberships or credentials asks), nor one the
action excludes them from (the leaver of an offboarding)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize, can_for
from kluis.access.holds import ApprovalStamp, HeldForApproval
from kluis.access.models import RoleAssignment
from kluis.approvals import hooks, registry
from kluis.approvals.models import ApprovalPolicy, ApprovalRequest, Status
from kluis.audit.services import record
from kluis.crypto import vault
from kluis.tenancy.models import Tenant

PURPOSE = "approvals.request"
POLICY_ACTION = "approvals.policy"  # turning (part of) the rule off


class StaleRequestError(ValidationError):
    """The target changed after the request was made: it must be made again."""


def policy_for(tenant: Tenant | int) -> ApprovalPolicy:
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    policy = ApprovalPolicy.objects.for_tenant(tenant_id).first()
    return policy or ApprovalPolicy(tenant_id=tenant_id)


def owners(tenant: Tenant | int) -> int:
    """How many active owners the company has (two or more: owner grants and turning
    the rule off are always held)."""
    return (
        RoleAssignment.objects.for_tenant(tenant)
        .filter(role__builtin_key="owner", membership__is_active=True)
        .values("membership_id")
        .distinct()
        .count()
    )


def is_held(tenant: Tenant | int, key: str, *, always: bool = False) -> bool:
    action = registry.get(key)
    return always or not action.optional or key in policy_for(tenant).actions


def gate(
    actor: Actor,
    key: str,
    *,
    tenant: Tenant,
    target: models.Model | None = None,
    target_label: str = "",
    payload: dict[str, Any],
    changes: list[dict[str, Any]] | None = None,
    sealed: dict[str, Any] | None = None,
    fingerprint: str = "",
    note: str = "",
    always: bool = False,
) -> None:
    """Let the action through, or hold it: store the request and raise HeldForApproval.

    `changes` is what the approver reads: [{"field", "label", "old", "new", "reveal"}],
    where an entry with a `reveal` permission is shown only to a reader holding it (its
    values are stored sealed). `always` holds it whatever the company chose (an owner
    grant once there are two owners)."""
    stamp = actor.approval
    if stamp is not None and stamp.action == key:
        return
    if not is_held(tenant, key, always=always):
        return
    request = submit(
        actor,
        key,
        tenant=tenant,
        target=target,
        target_label=target_label,
        payload=payload,
        changes=changes,
        sealed=sealed,
        fingerprint=fingerprint,
        note=note,
    )
    raise HeldForApproval(
        request.pk,
        key,
        _("This needs a second person's approval: the request is waiting for them."),
    )


def submit(
    actor: Actor,
    key: str,
    *,
    tenant: Tenant,
    target: models.Model | None = None,
    target_label: str = "",
    payload: dict[str, Any],
    changes: list[dict[str, Any]] | None = None,
    sealed: dict[str, Any] | None = None,
    fingerprint: str = "",
    note: str = "",
) -> ApprovalRequest:
    """Store a pending request (an action that is always held calls this directly)."""
    registry.get(key)  # an unknown action is a programming error
    if actor.tenant is not None and actor.tenant.pk != tenant.pk:
        raise PermissionDenied(_("Not a member of this company."))
    plain, hidden = _split_changes(changes or [])
    secret = {"payload": sealed or {}, "changes": hidden}
    now = timezone.now()
    policy = policy_for(tenant)
    with transaction.atomic():
        request = ApprovalRequest.objects.create(
            tenant=tenant,
            action=key,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=str(target.pk) if target is not None else "",
            target_label=(target_label or (str(target) if target is not None else ""))[:200],
            payload=payload,
            changes=plain,
            sealed=vault.seal(tenant.pk, PURPOSE, json.dumps(secret)) or ""
            if sealed or hidden
            else "",
            fingerprint=fingerprint,
            note=note.strip()[:2000],
            requested_by=actor.membership,
            requested_by_user_id=_user_behind(actor),
            requested_by_label=actor.label[:254],
            requested_at=now,
            expires_at=now + dt.timedelta(hours=policy.expiry_hours),
        )
        record(
            actor,
            "approval.requested",
            tenant=tenant,
            target=request,
            object_repr=f"{registry.get(key).label}: {request.target_label}"[:200],
            changes={"action": key, "target": request.target_label},
        )
        hooks.tell("requested", request)
    return request


def _user_behind(actor: Actor) -> int | None:
    return actor.user_id


def _split_changes(
    changes: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    plain: list[dict[str, Any]] = []
    hidden: dict[str, dict[str, Any]] = {}
    for entry in changes:
        reveal = entry.get("reveal") or ""
        row = {"field": entry["field"], "label": str(entry.get("label") or entry["field"])}
        if reveal:
            hidden[entry["field"]] = {"old": entry.get("old"), "new": entry.get("new")}
            row.update(old=None, new=None, reveal=reveal)
        else:
            row.update(old=entry.get("old"), new=entry.get("new"), reveal="")
        plain.append(row)
    return plain, hidden


def sealed_part(request: ApprovalRequest) -> dict[str, Any]:
    if not request.sealed:
        return {"payload": {}, "changes": {}}
    opened = vault.unseal(request.tenant_id, PURPOSE, request.sealed)
    return json.loads(opened or "{}")


@dataclasses.dataclass(frozen=True)
class ShownChange:
    field: str
    label: str
    old: Any
    new: Any
    masked: bool


def changes_for(request: ApprovalRequest, viewer: Actor) -> list[ShownChange]:
    """The change as `viewer` may see it: a value behind a permission the viewer lacks
    (company-wide) is masked."""
    hidden: dict[str, dict[str, Any]] | None = None
    shown = []
    for row in request.changes:
        reveal = row.get("reveal") or ""
        if reveal and not can_for(viewer, reveal):
            shown.append(ShownChange(row["field"], row["label"], None, None, True))
            continue
        if reveal:
            if hidden is None:
                hidden = sealed_part(request)["changes"]
            values = hidden.get(row["field"], {})
            shown.append(
                ShownChange(row["field"], row["label"], values.get("old"), values.get("new"), False)
            )
        else:
            shown.append(ShownChange(row["field"], row["label"], row["old"], row["new"], False))
    return shown


# -- deciding ---------------------------------------------------------------------------


def may_decide(actor: Actor, request: ApprovalRequest) -> bool:
    try:
        _check_decider(actor, request)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _check_decider(actor: Actor, request: ApprovalRequest) -> None:
    if actor.tenant is None or actor.tenant.pk != request.tenant_id:
        raise PermissionDenied(_("Not a member of this company."))
    if actor.kind != "user" or actor.user_id is None:
        raise PermissionDenied(_("Only a person can approve or reject a request."))
    action = registry.get(request.action)
    for permission in action.approve_permissions:
        authorize(actor, permission)
    excluded = {request.requested_by_user_id}
    if action.excluded_users is not None:
        excluded |= action.excluded_users(request)
    if actor.user_id in excluded:
        raise PermissionDenied(
            _("You cannot decide on this request: a second person must approve it.")
        )


def _locked(request: ApprovalRequest) -> ApprovalRequest:
    return (
        ApprovalRequest.objects.for_tenant(request.tenant_id).select_for_update().get(pk=request.pk)
    )


def _close(
    actor: Actor | None,
    request: ApprovalRequest,
    status: str,
    action: str,
    *,
    reason: str = "",
) -> ApprovalRequest:
    """Move a pending request to a final status in the caller's transaction."""
    request.status = status
    request.decided_at = timezone.now()
    request.decision_reason = reason
    request.version += 1
    if actor is not None and actor.kind == "user":
        request.decided_by = actor.membership
        request.decided_by_label = actor.label[:254]
    request.save()
    record(
        actor or Actor.system("approvals"),
        action,
        tenant=request.tenant,
        target=request,
        object_repr=f"{registry.get(request.action).label}: {request.target_label}"[:200],
        changes={
            "action": request.action,
            "status": status,
            **({"reason": reason} if reason else {}),
        },
    )
    hooks.tell(status, request)
    return request


def _pending(request: ApprovalRequest) -> ApprovalRequest:
    locked = _locked(request)
    if locked.status != Status.PENDING:
        raise ValidationError(
            _("This request is no longer waiting: it is %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def approve(actor: Actor, request: ApprovalRequest) -> ApprovalRequest:
    """Approve and apply: the action runs through its own service as the approver,
    stamped with the approval. A request that expired or whose target changed is closed
    instead (and the error says so)."""
    _check_decider(actor, request)
    action = registry.get(request.action)
    now = timezone.now()
    if request.expires_at <= now:
        expire_due(now)
        raise ValidationError(_("This request expired: it must be made again."))
    if action.fingerprint is not None and action.fingerprint(request) != request.fingerprint:
        with transaction.atomic():
            _close(actor, _pending(request), Status.STALE, "approval.stale")
        raise StaleRequestError(
            _("What this request would change was changed meanwhile: it must be made again.")
        )
    with transaction.atomic():
        claimed = _pending(request)
        claimed = _close(actor, claimed, Status.APPROVED, "approval.approved")
    stamped = dataclasses.replace(
        actor,
        approval=ApprovalStamp(
            request_id=claimed.pk,
            action=claimed.action,
            requested_by=claimed.requested_by_label,
            approved_by=actor.label,
            requested_by_user_id=claimed.requested_by_user_id,
        ),
    )
    try:
        result = action.apply(stamped, claimed) or {}
    except (ValidationError, PermissionDenied) as error:
        message = "; ".join(getattr(error, "messages", None) or [str(error)])
        with transaction.atomic():
            failed = _locked(claimed)
            failed.result = {"error": message[:1000]}
            _close(actor, failed, Status.FAILED, "approval.failed", reason=message[:1000])
        raise
    ApprovalRequest.objects.for_tenant(claimed.tenant_id).filter(pk=claimed.pk).update(
        applied_at=timezone.now(), result=result
    )
    claimed.applied_at, claimed.result = timezone.now(), result
    return claimed


def reject(actor: Actor, request: ApprovalRequest, reason: str) -> ApprovalRequest:
    _check_decider(actor, request)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the request is rejected.")})
    with transaction.atomic():
        return _close(actor, _pending(request), Status.REJECTED, "approval.rejected", reason=reason)


def withdraw(actor: Actor, request: ApprovalRequest) -> ApprovalRequest:
    """The requester takes their own request back."""
    if actor.tenant is None or actor.tenant.pk != request.tenant_id:
        raise PermissionDenied(_("Not a member of this company."))
    if actor.user_id is None or actor.user_id != request.requested_by_user_id:
        raise PermissionDenied(_("Only the person who asked can withdraw a request."))
    with transaction.atomic():
        return _close(actor, _pending(request), Status.WITHDRAWN, "approval.withdrawn")


def expire_due(now: dt.datetime | None = None) -> int:
    """Close every pending request past its expiry (the scheduled job; also on approve)."""
    now = now or timezone.now()
    expired = 0
    due = ApprovalRequest.objects.filter(status=Status.PENDING, expires_at__lte=now)
    for pk, tenant_id in due.values_list("pk", "tenant_id")[:500]:
        with transaction.atomic():
            request = (
                ApprovalRequest.objects.for_tenant(tenant_id)
                .select_for_update()
                .select_related("tenant")
                .get(pk=pk)
            )
            if request.status != Status.PENDING:
                continue
            _close(None, request, Status.EXPIRED, "approval.expired")
            expired += 1
    return expired


# -- the company's choice ----------------------------------------------------------------


def set_policy(
    actor: Actor,
    tenant: Tenant,
    *,
    actions: list[str],
    wage_change_percent: int,
    expiry_hours: int,
) -> ApprovalPolicy:
    """Choose the held actions. Turning any of them off is itself held when the company
    chose so, and always once it has two owners."""
    if (actor.tenant is None or actor.tenant.pk != tenant.pk) and not actor.is_system:
        raise PermissionDenied(_("Not a member of this company."))
    authorize(actor, "approvals.manage")
    known = {action.key for action in registry.optional_actions()}
    unknown = sorted(set(actions) - known)
    if unknown:
        raise ValidationError({"actions": _("Unknown actions: %s") % ", ".join(unknown)})
    if not 1 <= int(wage_change_percent) <= 100:
        raise ValidationError({"wage_change_percent": _("Choose a percentage from 1 to 100.")})
    if not 1 <= int(expiry_hours) <= 720:
        raise ValidationError({"expiry_hours": _("Choose from 1 to 720 hours.")})
    policy = policy_for(tenant)
    before: dict[str, Any] = {
        "actions": sorted(policy.actions),
        "wage_change_percent": policy.wage_change_percent,
        "expiry_hours": policy.expiry_hours,
    }
    after: dict[str, Any] = {
        "actions": sorted(set(actions)),
        "wage_change_percent": int(wage_change_percent),
        "expiry_hours": int(expiry_hours),
    }
    if before == after:
        return policy
    loosened = bool(set(before["actions"]) - set(after["actions"])) or (
        after["wage_change_percent"] > before["wage_change_percent"]
        and "wage.change" in after["actions"]
    )
    if loosened:
        gate(
            actor,
            POLICY_ACTION,
            tenant=tenant,
            target_label=_("Two-person rule"),
            payload=after,
            changes=[
                {"field": name, "label": name, "old": before[name], "new": after[name]}
                for name in after
                if before[name] != after[name]
            ],
            fingerprint=json.dumps(before, sort_keys=True),
            always=owners(tenant) >= 2,
        )
    with transaction.atomic():
        policy, _made = ApprovalPolicy.objects.select_for_update().get_or_create(
            tenant=tenant, defaults={"actions": []}
        )
        policy.actions = after["actions"]
        policy.wage_change_percent = after["wage_change_percent"]
        policy.expiry_hours = after["expiry_hours"]
        policy.save()
        record(
            actor,
            "approvals.policy_changed",
            tenant=tenant,
            target=policy,
            object_repr="two-person rule",
            changes={
                name: {"old": before[name], "new": after[name]}
                for name in after
                if before[name] != after[name]
            },
        )
        hooks.tell_policy(policy, [name for name in after if before[name] != after[name]])
    return policy


def _policy_fingerprint(request: ApprovalRequest) -> str:
    policy = policy_for(request.tenant_id)
    return json.dumps(
        {
            "actions": sorted(policy.actions),
            "wage_change_percent": policy.wage_change_percent,
            "expiry_hours": policy.expiry_hours,
        },
        sort_keys=True,
    )


def _apply_policy(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    set_policy(actor, request.tenant, **request.payload)
    return {"url": "/settings/approvals/"}


def register_own_actions() -> None:
    from django.utils.translation import gettext_lazy

    registry.register(
        registry.ApprovalAction(
            key=POLICY_ACTION,
            label=gettext_lazy("Turn the two-person rule off for an action"),
            approve_permission="approvals.manage",
            apply=_apply_policy,
            fingerprint=_policy_fingerprint,
            description=gettext_lazy(
                "Always held once the company has two owners, whatever is chosen here."
            ),
        )
    )
