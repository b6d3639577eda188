"""Requesting leave (with a live preview of what it takes), one request with its history,
changing and cancelling it. Views parse input and call the leave services, which
authorise, validate, write, audit and notify."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.people.models import Employee
from kluis.people.permissions import can_on, is_self, scope_of, scoped
from kluis.timeoff import services
from kluis.timeoff.forms.self_service import CancelForm, LeaveRequestForm, add_errors
from kluis.timeoff.models import (
    DayPart,
    EntryVersion,
    LeaveRequest,
    LeaveType,
    ReasonVisibility,
    Stage,
    Status,
)
from kluis.timeoff.names import names_of, with_names
from kluis.timeoff.previews import preview_request
from kluis.timeoff.services._kit import StaleEntryError
from kluis.timeoff.views.self_service import (
    actor_of,
    no_file,
    own_employee,
    url_or_none,
    with_amounts,
)

REQUEST = "timeoff.request"


def _employees(actor: Actor) -> QuerySet[Employee] | None:
    """Whom HR may request leave for (None: only oneself)."""
    if scope_of(actor, REQUEST) != Scope.COMPANY:
        return None
    return scoped(actor, REQUEST, Employee.objects.all()).order_by("last_name", "first_name")


def _for_whom(actor: Actor, form: LeaveRequestForm, me: Employee | None) -> Employee | None:
    chosen = form.chosen_employee() if "employee" in form.fields else None
    return chosen or me


def _may_see_reason(actor: Actor, request: LeaveRequest) -> bool:
    """The employee and HR always; the approvers too unless the type keeps it for HR."""
    if is_self(actor, request.employee) or scope_of(actor, "timeoff.view") == Scope.COMPANY:
        return True
    if request.leave_type.reason_visible_to == ReasonVisibility.HR:
        return False
    return can_on(actor, "timeoff.approve", request.employee)


def _may_cancel(actor: Actor, request: LeaveRequest) -> bool:
    if not can_on(actor, REQUEST, request.employee):
        return False
    if request.status == Status.PENDING:
        return True
    if request.status == Status.APPROVED:
        return request.start_date > timezone.localdate() or can(actor, "timeoff.manage")
    return False


def _visible_request(actor: Actor, pk: int) -> LeaveRequest:
    """A request of the actor's company they may see: 404 for anything else."""
    request: LeaveRequest = LeaveRequest.objects.select_related(
        "leave_type", "employee", "employee__tenant"
    ).access_by_id(actor, pk)
    if not can_on(actor, "timeoff.view", request.employee):
        raise Http404("Not found")
    return request


# --- Requesting -----------------------------------------------------------------------------


@member_required()
def request_leave(request: HttpRequest) -> HttpResponse:
    actor = actor_of(request)
    me = own_employee(actor)
    employees = _employees(actor)
    if me is None and employees is None:
        return no_file(request)
    if request.method == "POST":
        form = LeaveRequestForm(request.POST, actor=actor, employees=employees)
        if form.is_valid():
            employee = _for_whom(actor, form, me)
            if employee is None:
                form.add_error("employee", _("Choose whom the leave is for."))
            else:
                try:
                    made = services.request_leave(actor, employee, form.service_data())
                except (ValidationError, PermissionDenied) as error:
                    add_errors(form, error)
                else:
                    if made.status == Status.APPROVED:
                        messages.success(request, _("Your leave is booked."))
                    else:
                        messages.success(request, _("Your request was sent for approval."))
                    return redirect("timeoff:request_detail", made.pk)
    else:
        day = parse_date(request.GET.get("date") or "")
        initial: dict[str, Any] = {"start_date": day, "end_date": day}
        if employees is not None and me is not None:
            initial["employee"] = me.pk
        form = LeaveRequestForm(initial=initial, actor=actor, employees=employees)
    return render(
        request,
        "timeoff/self/request_form.html",
        {"form": form, "changing": None},
        status=400 if form.errors else 200,
    )


@require_POST
@member_required()
def request_preview(request: HttpRequest) -> HttpResponse:
    """The form's live answer (htmx): what the request takes and what is left after it,
    or why it would be refused. Writes nothing."""
    actor = actor_of(request)
    me = own_employee(actor)
    changing = None
    if request.POST.get("changing"):
        changing = _visible_request(actor, request.POST["changing"])  # type: ignore[arg-type]
    form = LeaveRequestForm(
        request.POST,
        actor=actor,
        employees=None if changing else _employees(actor),
        changing=changing,
    )
    context: dict[str, Any] = {"preview": None, "problems": []}
    if not form.is_valid():
        if form.data.get("leave_type") and form.data.get("start_date"):
            context["problems"] = [
                f"{form.fields[name].label if name in form.fields else ''}: {message}".lstrip(": ")
                for name, errors in form.errors.items()
                for message in errors
            ]
    else:
        employee = changing.employee if changing else _for_whom(actor, form, me)
        if employee is not None:
            try:
                context["preview"] = preview_request(
                    actor,
                    employee,
                    form.service_data(),
                    besides=changing.pk if changing else None,
                )
            except ValidationError as error:
                context["problems"] = error.messages
            except PermissionDenied as error:
                context["problems"] = [str(error)]
    return render(request, "timeoff/self/_preview.html", context)


# --- One request ----------------------------------------------------------------------------

ACTIONS = {
    "requested": gettext_lazy("Requested"),
    "changed": gettext_lazy("Changed"),
    "approved_first": gettext_lazy("Approved by the manager, waiting for HR"),
    "approved": gettext_lazy("Approved"),
    "rejected": gettext_lazy("Rejected"),
    "cancelled": gettext_lazy("Cancelled"),
}


def _history(actor: Actor, leave_request: LeaveRequest, show_reason: bool) -> list[dict[str, Any]]:
    names = dict(LeaveType.objects.for_actor(actor).values_list("pk", "name"))
    labels = {
        "leave_type": _("Leave type"),
        "start_date": _("First day"),
        "end_date": _("Last day"),
        "start_part": _("First day"),
        "end_part": _("Last day"),
        "hours": _("Hours"),
        "reason": _("Reason"),
        "status": _("Status"),
        "stage": _("Waiting for"),
    }
    choices: dict[str, str] = {
        **{str(k): str(v) for k, v in DayPart.choices},
        **{str(k): str(v) for k, v in Status.choices},
        **{str(k): str(v) for k, v in Stage.choices if k},
    }

    def shown(name: str, value: Any) -> Any:
        if value in (None, ""):
            return "—"
        if name == "leave_type":
            return names.get(value, value)
        if name in ("start_date", "end_date"):
            return parse_date(str(value)) or value
        return choices.get(str(value), value)

    steps = []
    versions = list(
        EntryVersion.objects.for_actor(actor)
        .filter(request_id=leave_request.pk)
        .order_by("version", "pk")
    )
    who = names_of(leave_request.tenant_id, {v.actor_label for v in versions})
    for version in versions:
        changes = []
        for name in version.changed_fields:
            hidden = name == "reason" and not show_reason
            changes.append(
                {
                    "label": labels.get(name, name),
                    "old": None if hidden else shown(name, version.old_values.get(name)),
                    "new": None if hidden else shown(name, version.new_values.get(name)),
                    "hidden": hidden,
                    "created": name not in version.old_values,
                }
            )
        steps.append(
            {
                "version": version,
                "action": ACTIONS.get(version.action, version.action),
                "who": who.get(version.actor_label, version.actor_label),
                "changes": changes,
            }
        )
    return steps


@member_required()
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    leave_request = with_names([_visible_request(actor, pk)])[0]
    show_reason = _may_see_reason(actor, leave_request)
    may_decide = services.may_decide(actor, leave_request)
    decide = {
        "approve": url_or_none("timeoff:approve", leave_request.pk),
        "reject": url_or_none("timeoff:reject", leave_request.pk),
    }
    context = {
        "leave_request": leave_request,
        "employee": leave_request.employee,
        "mine": is_self(actor, leave_request.employee),
        "show_reason": show_reason,
        "history": _history(actor, leave_request, show_reason),
        "may_cancel": _may_cancel(actor, leave_request),
        "may_change": leave_request.status == Status.PENDING
        and can_on(actor, REQUEST, leave_request.employee),
        "may_decide": may_decide and all(decide.values()),
        "decide": decide,
        "cancel_form": CancelForm(initial={"version": leave_request.version}),
        "amount": with_amounts(leave_request.employee, [leave_request])[0],
    }
    return render(request, "timeoff/self/request_detail.html", context)


@require_POST
@member_required()
def cancel_request(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    leave_request = _visible_request(actor, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
        return redirect("timeoff:request_detail", pk)
    try:
        services.cancel_request(
            actor,
            leave_request,
            reason=form.cleaned_data["reason"],
            expected_version=form.cleaned_data["version"],
        )
    except (ValidationError, PermissionDenied, services.ConflictError, StaleEntryError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text or _("You do not have permission to do this."))
    else:
        messages.success(request, _("The request is cancelled."))
    return redirect("timeoff:request_detail", pk)


@member_required()
def change_request(request: HttpRequest, pk: int) -> HttpResponse:
    actor = actor_of(request)
    leave_request = _visible_request(actor, pk)
    if leave_request.status != Status.PENDING or not can_on(actor, REQUEST, leave_request.employee):
        messages.error(request, _("Only a request that waits for approval can be changed."))
        return redirect("timeoff:request_detail", pk)
    if request.method == "POST":
        form = LeaveRequestForm(request.POST, actor=actor, changing=leave_request)
        if form.is_valid():
            try:
                services.change_request(
                    actor,
                    leave_request,
                    form.service_data(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except (ValidationError, PermissionDenied) as error:
                add_errors(form, error)
            except (services.ConflictError, StaleEntryError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("The request is changed and waits for approval again."))
                return redirect("timeoff:request_detail", pk)
    else:
        form = LeaveRequestForm(
            initial=LeaveRequestForm.initial_of(leave_request), actor=actor, changing=leave_request
        )
    return render(
        request,
        "timeoff/self/request_form.html",
        {"form": form, "changing": leave_request},
        status=400 if form.errors else 200,
    )
