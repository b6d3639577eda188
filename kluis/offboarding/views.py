"""The offboarding pages: start one from an employee's profile, and its page with the one
audit trail (requested by, approved by, executed at, what was revoked). The panel on the
profile is `panel` (registered with kluis.people.profile_panels)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kluis.access.authorization import can_for
from kluis.access.decorators import member_required
from kluis.approvals import services as approvals
from kluis.offboarding import approval, selectors, services
from kluis.offboarding.forms import OffboardingForm
from kluis.offboarding.models import Offboarding
from kluis.people import selectors as people
from kluis.people.models import EmployeeStatus

if TYPE_CHECKING:
    from kluis.access.actor import Actor
    from kluis.people.models import Employee


def _may_start(actor: Actor, employee: Employee, open_one: bool) -> bool:
    own = employee.membership_id is not None and employee.membership_id == getattr(
        actor.membership, "pk", None
    )
    return (
        can_for(actor, services.REQUEST)
        and not own
        and not open_one
        and (employee.status != EmployeeStatus.LEFT or employee.membership_id is not None)
    )


def panel(request: HttpRequest, actor: Actor, employee: Employee) -> SafeString | str:
    """The profile's offboarding panel: its trail, or the button to start one."""
    if not selectors.may_read(actor):
        return ""
    rows = selectors.of_employee(actor, employee)
    open_one = any(row.is_open for row in rows)
    return render_to_string(
        "offboarding/_panel.html",
        {
            "employee": employee,
            "offboardings": rows,
            "may_start": _may_start(actor, employee, open_one),
        },
    )


@never_cache
@member_required(services.REQUEST)
def start(request: HttpRequest, employee_pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    employee = people.employee_for(actor, employee_pk)
    if not _may_start(actor, employee, open_one=False):
        raise PermissionDenied
    form = OffboardingForm(request.POST or None, employee=employee, actor=actor)
    if request.method == "POST" and form.is_valid():
        try:
            offboarding = services.request_offboarding(actor, employee, form.cleaned_data)
        except ValidationError as exc:
            found = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
            for field, errors in found.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The offboarding waits for a second person's approval."))
            return redirect("offboarding:detail", offboarding.pk)
    return render(request, "offboarding/start.html", {"form": form, "employee": employee})


def _detail(request: HttpRequest, offboarding: Offboarding, **extra: Any) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    pending = approval.approval_request(offboarding)
    if pending is not None and pending.status != "pending":
        pending = None
    context = {
        "offboarding": offboarding,
        "employee": offboarding.employee,
        "rows": selectors.revoked_rows(offboarding),
        "approval_url": approval.approval_url(offboarding),
        "pending": pending,
        "changes": approvals.changes_for(pending, actor) if pending else [],
        "may_decide": pending is not None and approvals.may_decide(actor, pending),
        **extra,
    }
    return render(request, "offboarding/detail.html", context, status=400 if extra else 200)


@never_cache
@member_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.actor  # type: ignore[attr-defined]
    return _detail(request, selectors.offboarding_for(actor, pk))


@require_POST
@member_required(services.APPROVE)
def decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject the offboarding's request here (the approvals core decides who
    may: never the requester, never the leaver)."""
    actor = request.actor  # type: ignore[attr-defined]
    offboarding = selectors.offboarding_for(actor, pk)
    pending = approval.approval_request(offboarding)
    if pending is None:
        raise Http404("No request to decide")
    try:
        if decision == "approve":
            approvals.approve(actor, pending)
            messages.success(request, _("Approved: the leaver's access ends at its moment."))
        else:
            approvals.reject(actor, pending, request.POST.get("reason", ""))
            messages.success(request, _("Rejected: the offboarding is closed."))
    except ValidationError as exc:
        return _detail(request, offboarding, decision_errors=exc.messages)
    return redirect("offboarding:detail", offboarding.pk)
