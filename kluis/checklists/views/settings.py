"""HR's checklist templates (Settings): the list with who does IT's tasks, a new
template, one template with its tasks (add, edit, move, remove), archive and restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.checklists import selectors, services
from kluis.checklists.forms import SettingsForm, TaskForm, TemplateForm, add_service_errors
from kluis.checklists.models import ChecklistTemplate, TemplateTask

MANAGE = selectors.MANAGE


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


@never_cache
@member_required(MANAGE)
def templates(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    current = selectors.settings_of(actor.tenant)  # type: ignore[arg-type]
    form = SettingsForm(
        request.POST or None,
        actor=actor,
        initial={"it_contact": current.it_contact if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_settings(
                actor,
                actor.tenant,  # type: ignore[arg-type]
                it_contact=form.cleaned_data["it_contact"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved who does IT's tasks."))
            return redirect("checklists:templates")
    show_archived = request.GET.get("archived") == "1"
    rows = ChecklistTemplate.objects.for_actor(actor).select_related("department")
    if not show_archived:
        rows = rows.filter(is_active=True)
    return render(
        request,
        "checklists/settings/templates.html",
        {"templates": list(rows), "form": form, "show_archived": show_archived},
    )


@never_cache
@member_required(MANAGE)
def template_new(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    form = TemplateForm(
        request.POST or None, actor=actor, initial={"kind": request.GET.get("kind")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            template = services.create_template(actor, actor.tenant, form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Template created: now add its tasks."))
            return redirect("checklists:template_edit", template.pk)
    return render(request, "checklists/settings/template_form.html", {"form": form})


def _template_values(template: ChecklistTemplate) -> dict[str, Any]:
    return {
        "kind": template.kind,
        "name": template.name,
        "department": template.department,
        "contract_type": template.contract_type,
    }


@never_cache
@member_required(MANAGE)
def template_edit(request: HttpRequest, template_pk: int) -> HttpResponse:
    """The template's fields and its tasks; the form posted says which (`form`)."""
    actor = _actor(request)
    template = ChecklistTemplate.objects.access_by_id(actor, template_pk)
    posted = request.POST.get("form") if request.method == "POST" else None
    form = TemplateForm(
        request.POST if posted == "template" else None,
        actor=actor,
        initial=_template_values(template),
    )
    task_form = TaskForm(request.POST if posted == "task" else None, actor=actor, prefix="task")
    try:
        if posted == "template" and form.is_valid():
            services.update_template(actor, template, form.cleaned_data)
            messages.success(request, _("Template saved."))
            return redirect("checklists:template_edit", template.pk)
        if posted == "task" and task_form.is_valid():
            services.add_task(actor, template, task_form.cleaned_data)
            messages.success(request, _("Task added."))
            return redirect("checklists:template_edit", template.pk)
    except ValidationError as error:
        add_service_errors(form if posted == "template" else task_form, error)
    tasks = list(
        TemplateTask.objects.for_actor(actor)
        .filter(template=template)
        .select_related("member__user")
    )
    for task in tasks:
        task.days_abs = abs(task.due_offset_days)  # type: ignore[attr-defined]
    return render(
        request,
        "checklists/settings/template_edit.html",
        {"template": template, "form": form, "task_form": task_form, "tasks": tasks},
    )


@require_POST
@member_required(MANAGE)
def template_archive(request: HttpRequest, template_pk: int) -> HttpResponse:
    """Archive an active template, or restore an archived one."""
    actor = _actor(request)
    template = ChecklistTemplate.objects.access_by_id(actor, template_pk)
    services.update_template(actor, template, {"is_active": not template.is_active})
    if template.is_active:
        messages.success(request, _("Template archived: it is no longer offered."))
    else:
        messages.success(request, _("Template restored."))
    return redirect("checklists:templates")


@never_cache
@member_required(MANAGE)
def template_task_edit(request: HttpRequest, task_pk: int) -> HttpResponse:
    actor = _actor(request)
    task = TemplateTask.objects.access_by_id(actor, task_pk)
    initial = {
        "title": task.title,
        "description": task.description,
        "owner_role": task.owner_role,
        "member": task.member,
        "due_offset_days": task.due_offset_days,
        "completion": task.completion,
        "completion_path": task.completion_path,
    }
    form = TaskForm(request.POST or None, actor=actor, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_task(actor, task, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Task saved."))
            return redirect("checklists:template_edit", task.template_id)
    return render(request, "checklists/settings/task_form.html", {"form": form, "task": task})


@require_POST
@member_required(MANAGE)
def template_task_move(request: HttpRequest, task_pk: int) -> HttpResponse:
    actor = _actor(request)
    task = TemplateTask.objects.access_by_id(actor, task_pk)
    services.move_task(actor, task, up=request.POST.get("direction") == "up")
    return redirect("checklists:template_edit", task.template_id)


@require_POST
@member_required(MANAGE)
def template_task_remove(request: HttpRequest, task_pk: int) -> HttpResponse:
    actor = _actor(request)
    task = TemplateTask.objects.access_by_id(actor, task_pk)
    services.remove_task(actor, task)
    messages.success(request, _("Task removed."))
    return redirect("checklists:template_edit", task.template_id)
