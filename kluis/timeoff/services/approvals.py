"""Approving and rejecting leave requests.

Nobody approves or rejects their own request, in the UI or the API, whatever roles they
hold. A leave type with two approvers waits for the manager (HR may act for them), then
for HR: a different person than the first. The employee is told "approved" only after
the last step; the next approver is told when it is their turn. At the last approval the
balance is checked again under the employee's row lock, so two approvals at once cannot
both take the last day."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.permissions import Scope
from kluis.audit.services import record
from kluis.people.models import Employee
from kluis.people.permissions import can_on, is_self, scope_of
from kluis.timeoff import links, notifications
from kluis.timeoff.models import Approval, LeaveDay, LeaveRequest, Stage, Status
from kluis.timeoff.services import ledger
from kluis.timeoff.services._kit import (
    ConflictError,
    announce,
    changes_of,
    check_unlocked,
    check_version,
    keep_version,
    same_company,
)
from kluis.timeoff.services.requests import check_balance

APPROVE = "timeoff.approve"


def may_decide(actor: Actor, request: LeaveRequest) -> bool:
    """Whether the actor may approve or reject the request at its current step."""
    if request.status != Status.PENDING or is_self(actor, request.employee):
        return False
    if request.stage == Stage.HR:
        return scope_of(actor, APPROVE) == Scope.COMPANY and (
            actor.is_system or actor.label != request.first_approver
        )
    return can_on(actor, APPROVE, request.employee)


def _authorize(actor: Actor, request: LeaveRequest) -> None:
    same_company(actor, request.tenant_id)
    if is_self(actor, request.employee):
        raise PermissionDenied(_("Nobody approves or rejects their own leave request."))
    if not can_on(actor, APPROVE, request.employee):
        raise PermissionDenied(_("You do not have permission to do this."))


def _locked(request: LeaveRequest, expected_version: int | None) -> LeaveRequest:
    Employee.objects.select_for_update().filter(pk=request.employee_id).first()
    locked: LeaveRequest = (
        LeaveRequest.objects.select_for_update()
        .select_related("leave_type", "employee", "tenant")
        .get(pk=request.pk)
    )
    check_version(locked, expected_version)
    if locked.status != Status.PENDING:
        raise ConflictError(
            _("This request is already %(status)s.")
            % {"status": locked.get_status_display().lower()}
        )
    return locked


def approve_request(
    actor: Actor,
    request: LeaveRequest,
    *,
    comment: str = "",
    expected_version: int | None = None,
) -> LeaveRequest:
    _authorize(actor, request)
    comment = str(comment or "").strip()[:2000]
    with transaction.atomic():
        locked = _locked(request, expected_version)
        if not may_decide(actor, locked):
            if locked.stage == Stage.HR and actor.label == locked.first_approver:
                raise PermissionDenied(_("The second approval must come from someone else in HR."))
            raise PermissionDenied(_("This request waits for HR's approval."))
        employee = locked.employee
        old: dict[str, Any] = {"status": locked.status, "stage": locked.stage}
        url = links.request_page(locked.pk)
        two_steps = locked.leave_type.approval == Approval.MANAGER_THEN_HR
        if two_steps and locked.stage == Stage.MANAGER:
            locked.stage = Stage.HR
            locked.first_approver = actor.label[:254]
            locked.version += 1
            locked.save()
            new = {"status": locked.status, "stage": locked.stage}
            keep_version(locked, actor, "approved_first", old=old, new=new, comment=comment)
            record(
                actor,
                "leave_request.updated",
                tenant=locked.tenant,
                target=locked,
                changes=changes_of(old, new),
            )
            announce("leave_request.updated", locked, ["stage"])
            notifications.settle_waiting(locked, url=url)
            notifications.request_waits(locked, url=url)
            return locked
        check_unlocked(locked.tenant_id, locked.start_date, locked.end_date)
        try:
            check_balance(employee, locked.leave_type, locked.hours, with_pending=False)
        except ValidationError as exc:
            raise ConflictError(" ".join(exc.messages)) from None
        _decide(actor, locked, Status.APPROVED, comment)
        ledger.record_use(actor, locked)
        ledger.settle_sick_returns(actor, locked.tenant_id, employee.pk)
        _tell(actor, locked, "approved", old, comment)
    return locked


def _decide(actor: Actor, locked: LeaveRequest, status: str, comment: str) -> None:
    """The last step: who decided, when, why; the request's next version."""
    locked.status = status
    locked.stage = Stage.NONE
    locked.decided_by = actor.label[:254]
    locked.decided_at = timezone.now()
    locked.decision_comment = comment
    locked.version += 1
    locked.save()


def _tell(actor: Actor, locked: LeaveRequest, verb: str, old: dict[str, Any], comment: str) -> None:
    """The decision's history step, audit event, webhook event and the employee's notice."""
    new = {"status": locked.status, "stage": locked.stage}
    keep_version(locked, actor, verb, old=old, new=new, comment=comment)
    name = f"leave_request.{verb}"
    record(actor, name, tenant=locked.tenant, target=locked, changes=changes_of(old, new))
    announce(name, locked)
    url = links.request_page(locked.pk)
    notifications.settle_waiting(locked, url=url)
    notifications.request_decided(locked, url=url)


def reject_request(
    actor: Actor,
    request: LeaveRequest,
    *,
    comment: str = "",
    expected_version: int | None = None,
) -> LeaveRequest:
    _authorize(actor, request)
    comment = str(comment or "").strip()[:2000]
    with transaction.atomic():
        locked = _locked(request, expected_version)
        if not may_decide(actor, locked):
            raise PermissionDenied(_("This request waits for HR's decision."))
        old: dict[str, Any] = {"status": locked.status, "stage": locked.stage}
        _decide(actor, locked, Status.REJECTED, comment)
        LeaveDay.objects.filter(request=locked).update(active=False)
        _tell(actor, locked, "rejected", old, comment)
    return locked
