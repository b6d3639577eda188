"""My tasks (every member), one checklist with its tasks, completing and reopening a task,
starting a checklist from an employee's profile and cancelling one."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.authorization import can_for
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.checklists import selectors, services
from kluis.checklists.forms import StartForm, add_service_errors
from kluis.checklists.links import link_of
from kluis.checklists.models import Checklist, ChecklistTask, Kind
from kluis.people.models import Employee


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _task_rows(actor: Actor, tasks: list[ChecklistTask]) -> list[dict[str, Any]]:
    today = timezone.localdate()
    manage = can_for(actor, selectors.MANAGE)
    mine = set(
        ChecklistTask.objects.for_actor(actor)
        .filter(selectors.responsible_q(actor), pk__in=[t.pk for t in tasks])
        .values_list("pk", flat=True)
    )
    return [
        {
            "task": task,
            "overdue": selectors.is_overdue(task, today),
            "link": link_of(task),
            "may_change": manage or task.pk in mine,
            "mine": task.pk in mine,
        }
        for task in tasks
    ]


@never_cache
@member_required()
def my_tasks(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    open_tasks = list(selectors.my_tasks(actor))
    done = list(selectors.my_tasks(actor, done=True)[:20])
    return render(
        request,
        "checklists/my_tasks.html",
        {"rows": _task_rows(actor, open_tasks), "done_rows": _task_rows(actor, done)},
    )


def _visible(actor: Actor, pk: int) -> Checklist:
    checklist = Checklist.objects.access_by_id(actor, pk)
    if not selectors.may_view(actor, checklist):
        raise Http404
    return checklist


@never_cache
@member_required()
def checklist_detail(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    actor = _actor(request)
    checklist = _visible(actor, checklist_pk)
    tasks = list(
        ChecklistTask.objects.for_actor(actor)
        .filter(checklist=checklist)
        .select_related("assignee__user", "checklist")
        .order_by("due_date", "position", "pk")
    )
    return render(
        request,
        "checklists/checklist.html",
        {
            "checklist": checklist,
            "employee": checklist.employee,
            "progress": selectors.progress(checklist),
            "rows": _task_rows(actor, tasks),
            "can_manage": can_for(actor, selectors.MANAGE),
            "sees_profile": can_for(actor, "people.view"),
        },
    )


def _back(request: HttpRequest, task: ChecklistTask) -> HttpResponse:
    target = request.POST.get("next", "")
    if target == "my_tasks":
        return redirect("checklists:my_tasks")
    return redirect("checklists:checklist", task.checklist_id)


def _task_action(request: HttpRequest, task_pk: int, *, complete: bool) -> HttpResponse:
    actor = _actor(request)
    task = ChecklistTask.objects.access_by_id(actor, task_pk)
    if not selectors.may_view(actor, task.checklist):
        raise Http404
    try:
        if complete:
            services.complete_task(actor, task)
            messages.success(request, _("Done: %(task)s.") % {"task": task.title})
        else:
            services.reopen_task(actor, task)
            messages.success(request, _("Open again: %(task)s.") % {"task": task.title})
    except services.ChecklistConflictError as error:
        messages.error(request, str(error))
    return _back(request, task)


@require_POST
@member_required()
def task_complete(request: HttpRequest, task_pk: int) -> HttpResponse:
    return _task_action(request, task_pk, complete=True)


@require_POST
@member_required()
def task_reopen(request: HttpRequest, task_pk: int) -> HttpResponse:
    return _task_action(request, task_pk, complete=False)


@never_cache
@member_required(selectors.MANAGE)
def start(request: HttpRequest, employee_pk: int, kind: str) -> HttpResponse:
    """Start a checklist for an employee (the form on their profile, or this page)."""
    actor = _actor(request)
    employee = Employee.objects.access_by_id(actor, employee_pk)
    if kind not in Kind.values:
        raise Http404
    matching = selectors.matching_template(actor.tenant, kind, employee)  # type: ignore[arg-type]
    initial = {"template": matching, "anchor_date": selectors.default_anchor(employee, kind)}
    form = StartForm(request.POST or None, actor=actor, kind=kind, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            checklist = services.start_checklist(
                actor,
                employee,
                form.cleaned_data["template"],
                anchor_date=form.cleaned_data["anchor_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The checklist %(name)s started for %(employee)s.")
                % {"name": checklist.name, "employee": employee.display_name},
            )
            return redirect(reverse("people:detail", args=[employee.pk]))
    return render(
        request,
        "checklists/start.html",
        {"form": form, "employee": employee, "kind": Kind(kind), "matching": matching},
    )


@member_required(selectors.MANAGE)
def checklist_cancel(request: HttpRequest, checklist_pk: int) -> HttpResponse:
    actor = _actor(request)
    checklist = _visible(actor, checklist_pk)
    if request.method != "POST":
        return redirect("checklists:checklist", checklist.pk)
    asking = confirm_first(
        request,
        title=_("Cancel this checklist?"),
        message=_("Its open tasks are no longer anyone's to do. This cannot be undone."),
        button=_("Cancel the checklist"),
        cancel=reverse("checklists:checklist", args=[checklist.pk]),
    )
    if asking is not None:
        return asking
    try:
        services.cancel_checklist(actor, checklist)
        messages.success(request, _("The checklist was cancelled."))
    except services.ChecklistConflictError as error:
        messages.error(request, str(error))
    return redirect("checklists:checklist", checklist.pk)
