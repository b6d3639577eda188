"""The four-eyes request of an offboarding (kluis.approvals, action
`offboarding.revoke_access`, always held: `optional=False`).

HR's request submits it with what the approver reads (who leaves, when access ends, what
will be revoked and who receives the company's integrations); a second person holding
`offboarding.approve` approves it (never the requester, never the leaver: the leaver's
user is excluded), and the core applies it here as that approver, stamped with the
approval, so the audit events name both. A request rejected, withdrawn, expired, found
stale or failed closes the offboarding, so a new one can be started."""

from __future__ import annotations

from typing import Any

from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kluis.access.actor import Actor
from kluis.approvals import hooks, registry, services
from kluis.approvals.models import ApprovalRequest
from kluis.approvals.registry import ApprovalAction
from kluis.offboarding import credentials
from kluis.offboarding.models import Offboarding, Status

ACTION = "offboarding.revoke_access"
APPROVE = "offboarding.approve"
CLOSING = {"rejected", "withdrawn", "expired", "stale", "failed"}


def _offboarding(request: ApprovalRequest) -> Offboarding | None:
    pk = request.payload.get("offboarding")
    return (
        Offboarding.objects.for_tenant(request.tenant_id)
        .select_related("tenant", "employee", "membership__user", "handover_to__user")
        .filter(pk=pk)
        .first()
    )


def fingerprint_of(offboarding: Offboarding | None) -> str:
    """What the approver agreed to: changing any of it makes the request stale."""
    if offboarding is None:
        return "gone"
    return ":".join(
        str(part)
        for part in (
            offboarding.status,
            offboarding.last_day.isoformat(),
            offboarding.moment,
            offboarding.handover_to_id,
            offboarding.membership_id,
        )
    )


def what_changes(offboarding: Offboarding) -> list[dict[str, Any]]:
    """The change as the approver reads it: who leaves, when, and what will be revoked
    and handed over (counted now; the execution records exactly what it was)."""
    rows: list[dict[str, Any]] = [
        {"field": "employee", "label": _("Leaver"), "old": None, "new": str(offboarding.employee)},
        {
            "field": "last_day",
            "label": _("Last working day"),
            "old": None,
            "new": offboarding.last_day.isoformat(),
        },
        {
            "field": "moment",
            "label": _("When access ends"),
            "old": None,
            "new": str(offboarding.get_moment_display()),
        },
    ]
    membership = offboarding.membership
    if membership is None:
        return rows
    tokens = credentials.oauth_token_ids(membership)
    counted = credentials.what_they_hold(membership)
    rows += [
        {
            "field": "membership",
            "label": _("Access to the company"),
            "old": membership.user.email,
            "new": _("deactivated"),
        },
        {
            "field": "sessions",
            "label": _("Sessions and app sign-ins to end"),
            "old": len(credentials.session_ids(membership.user_id))
            + len(credentials.app_token_family_ids(membership.user_id)),
            "new": 0,
        },
        {
            "field": "oauth",
            "label": _("Connected apps and their tokens to revoke"),
            "old": counted["connections"] + len(tokens["access"]) + len(tokens["refresh"]),
            "new": 0,
        },
        {
            "field": "api_keys",
            "label": _("API keys to revoke"),
            "old": ", ".join(counted["key_prefixes"]) or "-",
            "new": None,
        },
        {
            "field": "handover",
            "label": _("Integrations handed to"),
            "old": _("%(clients)d API client(s), %(webhooks)d webhook(s)")
            % {"clients": counted["clients"], "webhooks": counted["webhooks"]},
            "new": offboarding.handover_to.user.email if offboarding.handover_to else "-",
        },
    ]
    return rows


def ask_for_approval(actor: Actor, offboarding: Offboarding) -> None:
    """Submit the request (in the caller's transaction) and remember it."""
    request = services.submit(
        actor,
        ACTION,
        tenant=offboarding.tenant,
        target=offboarding,
        target_label=str(offboarding.employee),
        payload={"offboarding": offboarding.pk},
        changes=what_changes(offboarding),
        fingerprint=fingerprint_of(offboarding),
    )
    offboarding.approval_request_id = request.pk
    offboarding.save(update_fields=["approval_request_id"])


def _apply(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    from kluis.offboarding.services import approve

    offboarding = _offboarding(request)
    if offboarding is None:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("This offboarding no longer exists."))
    approve(actor, offboarding)
    return {"url": f"/offboarding/{offboarding.pk}/"}


def _excluded(request: ApprovalRequest) -> set[int]:
    """The leaver never approves their own offboarding (nor does whoever asked)."""
    offboarding = _offboarding(request)
    excluded: set[int] = set()
    if offboarding is not None:
        if offboarding.membership is not None:
            excluded.add(offboarding.membership.user_id)
        if offboarding.requested_by_id is not None:
            excluded.add(offboarding.requested_by_id)
    return excluded


def _closed(what: str, request: ApprovalRequest) -> None:
    if request.action != ACTION or what not in CLOSING:
        return
    offboarding = _offboarding(request)
    if offboarding is not None and offboarding.status == Status.REQUESTED:
        from kluis.offboarding.services import close_unapproved

        close_unapproved(offboarding, what, request.decision_reason)


def register_action() -> None:
    registry.register(
        ApprovalAction(
            key=ACTION,
            label=gettext_lazy("Revoke a leaver's access (offboarding)"),
            approve_permission=APPROVE,
            apply=_apply,
            fingerprint=lambda request: fingerprint_of(_offboarding(request)),
            excluded_users=_excluded,
            optional=False,
            description=gettext_lazy(
                "Always needs a second person: one person asks, another with the approve "
                "permission approves; never the requester, never the leaver."
            ),
        )
    )
    hooks.listen(_closed)


def approval_request(offboarding: Offboarding) -> ApprovalRequest | None:
    if offboarding.approval_request_id is None:
        return None
    found: ApprovalRequest | None = (
        ApprovalRequest.objects.for_tenant(offboarding.tenant_id)
        .filter(pk=offboarding.approval_request_id)
        .first()
    )
    return found


def approval_url(offboarding: Offboarding) -> str:
    """The approvals app's page of the request ("" while that page does not exist)."""
    if offboarding.approval_request_id is None:
        return ""
    path = f"/approvals/{offboarding.approval_request_id}/"
    try:
        resolve(path)
    except Resolver404:
        return ""
    return path
