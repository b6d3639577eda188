from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "kluis.checklists"
    label = "checklists"
    verbose_name = "Checklists"

    def ready(self) -> None:
        """Register the checklists' audit sentences, webhook events, inbox kinds, what the
        audit log shows of them, their reminders job, their part of the demo companies and
        their panel on an employee's profile."""
        from kluis.checklists import events
        from kluis.company import demo
        from kluis.operations import schedule
        from kluis.people import profile_panels

        _register_audit_sentences()
        events.register_all()
        _register_notice_kinds()
        _declare_visibility()
        schedule.register(
            "checklists.reminders", 3600, "kluis.checklists.tasks.checklist_reminders"
        )
        demo.register(self.label, _load_demo, upgrade=_upgrade_demo)
        profile_panels.register(self.label, _profile_panel)
        from kluis.offboarding import hooks as offboarding_hooks

        offboarding_hooks.listen(_on_offboarding)


def _on_offboarding(what: str, actor: Any, offboarding: Any) -> None:
    """An offboarding HR starts brings the leaver's offboarding checklist with it: the
    matching template, due dates counted from the last working day, when the requester
    keeps checklists and the leaver has no open one (it never holds the offboarding up)."""
    if what != "started":
        return
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from kluis.access.authorization import can_for
    from kluis.checklists.selectors import matching_template
    from kluis.checklists.services import start_checklist

    if not can_for(actor, "checklists.manage"):
        return
    employee = offboarding.employee
    template = matching_template(employee.tenant_id, "offboarding", employee)
    if template is None:
        return
    try:
        with transaction.atomic():
            start_checklist(actor, employee, template, anchor_date=offboarding.last_day)
    except ValidationError:
        return  # an offboarding checklist is already open for them


def _profile_panel(request: Any, actor: Any, employee: Any) -> str:
    from kluis.checklists.views.profile import panel

    return panel(request, actor, employee)


def _load_demo(tenant: Any, *, locale: str, country: str) -> None:
    from kluis.checklists.demo import load

    load(tenant)


def _upgrade_demo(tenant: Any, *, locale: str, country: str) -> None:
    from kluis.checklists.demo import has_demo, load

    if not has_demo(tenant):
        load(tenant)


def _register_notice_kinds() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.company.models import Delivery
    from kluis.company.notices_kinds import register_kind

    group = _("Checklists")
    for key, label, description, default in (
        (
            "checklist_task.assigned",
            _("A checklist task for you"),
            _("An onboarding or offboarding checklist gives you a task."),
            Delivery.EMAIL,
        ),
        (
            "checklist_task.due",
            _("A checklist task is due"),
            _("A task of yours is due today."),
            Delivery.EMAIL,
        ),
        (
            "checklist_task.overdue",
            _("A checklist task is overdue"),
            _("A task of yours passed its due date and is not done yet."),
            Delivery.EMAIL,
        ),
        (
            "checklist.completed",
            _("A checklist is completed"),
            _("Every task of an onboarding or offboarding checklist is done (for HR)."),
            Delivery.DIGEST,
        ),
    ):
        register_kind(key, label, description, default_delivery=default, group=group)


def _declare_visibility() -> None:
    """What the audit log shows of checklists, to whom (kluis.access.visibility): templates
    to every reader of the log's people events, a checklist and its tasks to who sees
    checklists."""
    from kluis.access import visibility

    plain = visibility.PLAIN
    view = "checklists.view"
    for object_type, fields, label in (
        (
            "checklists.checklisttemplate",
            dict.fromkeys(
                ("kind", "name", "department", "contract_type", "is_active", "tasks"), plain
            ),
            plain,
        ),
        ("checklists.checklistsettings", {"it_contact": plain}, plain),
        (
            "checklists.checklist",
            dict.fromkeys(("employee", "template", "anchor_date", "tasks", "status"), view),
            view,
        ),
        ("checklists.checklisttask", dict.fromkeys(("done", "due_date"), view), view),
    ):
        visibility.register(object_type, fields, label=label)


def _register_audit_sentences() -> None:
    from django.utils.translation import gettext_lazy as _

    from kluis.audit import sentences, subjects
    from kluis.checklists import models

    sentences.register_all(
        "people",
        {
            "checklist_template.created": _("%(actor)s created the checklist template %(object)s"),
            "checklist_template.updated": (
                _("%(actor)s changed the checklist template %(object)s"),
                _("%(actor)s changed %(fields)s of the checklist template %(object)s"),
            ),
            "checklist_template.archived": _(
                "%(actor)s archived the checklist template %(object)s"
            ),
            "checklist_template.restored": _(
                "%(actor)s restored the checklist template %(object)s"
            ),
            "checklist_settings.updated": _("%(actor)s changed who does the IT tasks"),
            "checklist.started": _("%(actor)s started the checklist %(object)s"),
            "checklist.completed": _("%(actor)s completed the checklist %(object)s"),
            "checklist.reopened": _("%(actor)s reopened the checklist %(object)s"),
            "checklist.cancelled": _("%(actor)s cancelled the checklist %(object)s"),
            "checklist_task.completed": _("%(actor)s completed the task %(object)s"),
            "checklist_task.reopened": _("%(actor)s reopened the task %(object)s"),
            "checklist_task.overdue": _("The task %(object)s is overdue"),
        },
    )
    sentences.field_labels(
        "checklists.checklisttemplate",
        {
            "kind": _("Kind"),
            "name": _("Name"),
            "department": _("Department"),
            "contract_type": _("Contract type"),
            "is_active": _("Active"),
            "tasks": _("Tasks"),
        },
    )
    subjects.register_records("checklists.checklist", models.Checklist, "employee")
    subjects.register_records(
        "checklists.checklisttask", models.ChecklistTask, "checklist__employee"
    )
