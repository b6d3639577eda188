"""An export of employees' sensitive data under the two-person rule.

When the company holds `people.export_sensitive`, an export with any identity, bank or
salary column is not streamed: it becomes a request (the format, the list's filter and
the columns; no value). A second person approves it; applying it releases a download for
the REQUESTER only (never the approver): one download, within DOWNLOAD_HOURS of the
approval, from the request's link (`result["url"]`, the page
/people/export/approved/<request id>/). The download is audited as every export is, with
both names. The rows are read when the file is downloaded, with the columns the requester
may still read among those approved. A request whose requester's reach changed meanwhile
(the rows or columns they may read: a role taken away) is stale."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.holds import ApprovalStamp
from kluis.approvals.models import ApprovalRequest, Status
from kluis.approvals.selectors import of_action
from kluis.approvals.services import gate
from kluis.audit.services import record
from kluis.people import exports
from kluis.people.permissions import scope_of
from kluis.tenancy.models import Tenant

KEY = "people.export_sensitive"
DOWNLOAD_HOURS = 24


def _fingerprint_of(actor: Actor, columns: list[exports.Column]) -> str:
    """The rows (their `people.view` scope) and columns this actor exports."""
    reach = [str(scope_of(actor, "people.view")), sorted(c.name for c in columns)]
    return hashlib.sha256(json.dumps(reach).encode()).hexdigest()


def hold_export(
    actor: Actor, tenant: Tenant, *, fmt: str, query: str, columns: list[exports.Column]
) -> None:
    """Raise HeldForApproval when this export must wait for a second approver."""
    if actor.is_system or not any(c.sensitive for c in columns):
        return
    gate(
        actor,
        KEY,
        tenant=tenant,
        target_label=_("Employees with sensitive columns"),
        payload={"format": fmt, "query": query, "columns": [c.name for c in columns]},
        changes=[
            {"field": "format", "label": _("Format"), "old": None, "new": fmt.upper()},
            {"field": "filter", "label": _("Filter"), "old": None, "new": query or _("none")},
            {
                "field": "sensitive_columns",
                "label": _("Sensitive columns"),
                "old": None,
                "new": ", ".join(c.name for c in columns if c.sensitive),
            },
        ],
        fingerprint=_fingerprint_of(actor, columns),
    )


def is_held(actor: Actor, columns: list[exports.Column]) -> bool:
    """Whether this actor's export would be held (to ask before making the request)."""
    from kluis.approvals.services import policy_for

    if actor.is_system or actor.tenant is None or not any(c.sensitive for c in columns):
        return False
    return KEY in policy_for(actor.tenant).actions


def _requester(request: ApprovalRequest) -> Actor | None:
    membership = request.requested_by
    if membership is None or not membership.is_active:
        return None
    return Actor.for_member(membership)


def fingerprint(request: ApprovalRequest) -> str:
    requester = _requester(request)
    return (
        _fingerprint_of(requester, exports.columns_for(requester)) if requester is not None else ""
    )


def release(actor: Actor, request: ApprovalRequest) -> dict[str, Any]:
    """Apply an approved export: the download is released to the requester (recorded with
    both names); nothing is exported to the approver."""
    if actor.approval is None or actor.approval.request_id != request.pk:
        raise PermissionDenied(_("Only an approval releases an export."))
    until = timezone.now() + dt.timedelta(hours=DOWNLOAD_HOURS)
    with transaction.atomic():
        record(
            actor,
            "people.export_released",
            tenant=request.tenant,
            object_type="people.employee",
            object_repr="people export",
            changes={
                "format": request.payload.get("format"),
                "columns": request.payload.get("columns", []),
                "for": request.requested_by_label,
                "until": until.isoformat(),
            },
        )
    return {
        "url": reverse("people:export_approved", args=[request.pk]),
        "download_until": until.isoformat(),
    }


def released(actor: Actor, pk: int) -> ApprovalRequest:
    """The request `pk` of this action in the actor's company (404 otherwise)."""
    return of_action(actor, pk, KEY)


def unavailable(actor: Actor, request: ApprovalRequest) -> str:
    """Why this actor cannot download it now ("" = they can)."""
    if actor.user_id is None or actor.user_id != request.requested_by_user_id:
        return _("Only the person who asked for this export can download it.")
    if request.status != Status.APPROVED or not request.result.get("url"):
        return _("This export has not been approved.")
    if request.result.get("downloaded_at"):
        return _("This export was downloaded already; ask again for a new one.")
    until = request.result.get("download_until") or ""
    if not until or dt.datetime.fromisoformat(until) <= timezone.now():
        return _("The time to download this export has passed; ask again for a new one.")
    return ""


def claim(actor: Actor, request: ApprovalRequest) -> tuple[Actor, dict[str, Any]]:
    """Use the download once: (the requester stamped with the approval, what to export).
    Raises PermissionDenied for anyone else or a second time."""
    with transaction.atomic():
        locked = ApprovalRequest.objects.for_tenant(request.tenant_id).select_for_update()
        current = locked.get(pk=request.pk)
        reason = unavailable(actor, current)
        if reason:
            raise PermissionDenied(reason)
        current.result = {**current.result, "downloaded_at": timezone.now().isoformat()}
        current.save(update_fields=["result"])
    stamped = dataclasses.replace(
        actor,
        approval=ApprovalStamp(
            request_id=current.pk,
            action=KEY,
            requested_by=current.requested_by_label,
            approved_by=current.decided_by_label,
        ),
    )
    return stamped, dict(current.payload)


def check_format(fmt: str) -> str:
    if fmt not in {"csv", "xlsx"}:
        raise ValidationError(_("Unknown export format."))
    return fmt
