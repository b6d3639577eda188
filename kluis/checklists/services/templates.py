"""Every write to a company's checklist templates and their tasks, and to its checklist
settings (who does IT's tasks): HR (`checklists.manage`) only. A template is archived
(`is_active` false), never deleted, so the checklists started from it keep their name."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.authorization import authorize
from kluis.audit.services import record
from kluis.checklists.models import (
    ChecklistSettings,
    ChecklistTemplate,
    Completion,
    Kind,
    OwnerRole,
    TemplateTask,
)
from kluis.checklists.services._kit import changes_of, check_version, same_company
from kluis.integrations.events import emit
from kluis.people.models import ContractType, Department
from kluis.tenancy.models import Membership, Tenant

MANAGE = "checklists.manage"
TEMPLATE_FIELDS = ("kind", "name", "department", "contract_type", "is_active")
TASK_FIELDS = (
    "title",
    "description",
    "owner_role",
    "member",
    "due_offset_days",
    "completion",
    "completion_path",
)
MAX_OFFSET = 366


def _row_of(model: Any, tenant: Tenant | int, value: Any, field: str) -> Any:
    """`value` (a row or an id) as a row of the company, else a clear error on `field`."""
    if value in (None, ""):
        return None
    pk = value.pk if hasattr(value, "pk") else value
    try:
        found = model.objects.for_tenant(tenant).filter(pk=int(pk)).first()
    except (TypeError, ValueError):
        found = None
    if found is None:
        raise ValidationError({field: [_("Choose one from the list.")]})
    return found


def _clean_template(tenant: Tenant | int, data: Mapping[str, Any], *, partial: bool) -> dict:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in TEMPLATE_FIELDS:
        if name not in data:
            if not partial and name in ("kind", "name"):
                errors[name] = [_("This field is required.")]
            continue
        value = data[name]
        if name == "kind":
            if value not in Kind.values:
                errors[name] = [_("Choose onboarding or offboarding.")]
                continue
        elif name == "name":
            value = str(value or "").strip()
            if not value:
                errors[name] = [_("A template needs a name.")]
                continue
            if len(value) > 120:
                errors[name] = [_("Use at most 120 characters.")]
                continue
        elif name == "department":
            try:
                value = _row_of(Department, tenant, value, name)
            except ValidationError as error:
                errors[name] = error.message_dict[name]
                continue
        elif name == "contract_type":
            value = value or ""
            if value and value not in ContractType.values:
                errors[name] = [_("Choose one from the list.")]
                continue
        elif name == "is_active":
            value = bool(value)
        clean[name] = value
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_path(path: str) -> str:
    path = (path or "").strip()
    if not path:
        raise ValidationError({"completion_path": [_("Give the page's path, e.g. /people/me/.")]})
    if not path.startswith("/") or path.startswith("//") or "\\" in path or len(path) > 200:
        raise ValidationError(
            {"completion_path": [_("Give a path inside Kluis starting with /, e.g. /people/me/.")]}
        )
    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        raise ValidationError({"completion_path": [_("No page of Kluis has this path.")]}) from None
    return path


def clean_task(tenant: Tenant | int, data: Mapping[str, Any], *, partial: bool = False) -> dict:
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in TASK_FIELDS:
        if name not in data:
            if not partial and name in ("title", "owner_role"):
                errors[name] = [_("This field is required.")]
            continue
        value = data[name]
        try:
            if name == "title":
                value = str(value or "").strip()
                if not value or len(value) > 200:
                    raise ValidationError({name: [_("Give a title of at most 200 characters.")]})
            elif name == "description":
                value = str(value or "").strip()[:4000]
            elif name == "owner_role":
                if value not in OwnerRole.values:
                    raise ValidationError({name: [_("Choose one from the list.")]})
            elif name == "member":
                value = _row_of(Membership, tenant, value, name)
                if value is not None and not value.is_active:
                    raise ValidationError({name: [_("This member's access has ended.")]})
            elif name == "due_offset_days":
                value = int(value or 0)
                if abs(value) > MAX_OFFSET:
                    raise ValidationError({name: [_("Use at most 366 days before or after.")]})
            elif name == "completion":
                value = value or ""
                if value not in Completion.values:
                    raise ValidationError({name: [_("Choose one from the list.")]})
            elif name == "completion_path":
                value = str(value or "").strip()
        except (TypeError, ValueError):
            errors[name] = [_("Enter a whole number.")]
            continue
        except ValidationError as error:
            errors.update(error.message_dict)
            continue
        clean[name] = value
    if not errors and not partial:
        if clean.get("owner_role") == OwnerRole.MEMBER and clean.get("member") is None:
            errors["member"] = [_("Choose the person who does this task.")]
        if clean.get("completion") == Completion.PATH:
            try:
                clean["completion_path"] = _clean_path(clean.get("completion_path", ""))
            except ValidationError as error:
                errors.update(error.message_dict)
        else:
            clean["completion_path"] = ""
        if clean.get("owner_role") != OwnerRole.MEMBER:
            clean["member"] = None
    if errors:
        raise ValidationError(errors)
    return clean


def _task_values(task: TemplateTask) -> dict[str, Any]:
    return {name: getattr(task, name) for name in TASK_FIELDS}


def _touch(actor: Actor, template: ChecklistTemplate, changes: dict[str, Any]) -> None:
    """A change of a template's tasks: its version moves on, audited and emitted."""
    template.version += 1
    template.save(update_fields=["version", "updated_at"])
    record(
        actor,
        "checklist_template.updated",
        tenant=template.tenant,
        target=template,
        changes={"tasks": changes},
    )
    emit(
        "checklist_template.updated",
        tenant=template.tenant,
        target=template,
        payload={"fields": ["tasks"]},
    )


def create_template(actor: Actor, tenant: Tenant, data: Mapping[str, Any]) -> ChecklistTemplate:
    """A new template, with its tasks when `data["tasks"]` lists them (in order)."""
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    clean = _clean_template(tenant, data, partial=False)
    tasks = [clean_task(tenant, task) for task in data.get("tasks") or []]
    with transaction.atomic():
        template = ChecklistTemplate.objects.create(tenant=tenant, **clean)
        for position, task in enumerate(tasks, start=1):
            TemplateTask.objects.create(tenant=tenant, template=template, position=position, **task)
        changes = changes_of({}, clean)
        if tasks:
            changes["tasks"] = {"old": None, "new": len(tasks)}
        record(actor, "checklist_template.created", tenant=tenant, target=template, changes=changes)
        emit("checklist_template.created", tenant=tenant, target=template)
    return template


def update_template(
    actor: Actor,
    template: ChecklistTemplate,
    data: Mapping[str, Any],
    *,
    precondition: Callable[[ChecklistTemplate], None] | None = None,
    expected_version: int | None = None,
) -> ChecklistTemplate:
    """Change a template's name, kind, what it applies to, or archive it (`is_active`)."""
    same_company(actor, template.tenant_id)
    authorize(actor, MANAGE)
    clean = _clean_template(
        template.tenant_id, {k: v for k, v in data.items() if k != "version"}, partial=True
    )
    with transaction.atomic():
        locked = (
            ChecklistTemplate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=template.pk)
        )
        if precondition is not None:
            precondition(locked)
        check_version(locked, expected_version)
        old = {name: getattr(locked, name) for name in TEMPLATE_FIELDS}
        changes = changes_of(old, clean)
        if not changes:
            return locked
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
        if set(changes) != {"is_active"}:
            record(
                actor,
                "checklist_template.updated",
                tenant=locked.tenant,
                target=locked,
                changes=changes,
            )
        elif locked.is_active:
            record(
                actor,
                "checklist_template.restored",
                tenant=locked.tenant,
                target=locked,
                changes=changes,
            )
        else:
            record(
                actor,
                "checklist_template.archived",
                tenant=locked.tenant,
                target=locked,
                changes=changes,
            )
        emit(
            "checklist_template.updated",
            tenant=locked.tenant,
            target=locked,
            payload={"fields": sorted(changes)},
        )
    return locked


def add_task(actor: Actor, template: ChecklistTemplate, data: Mapping[str, Any]) -> TemplateTask:
    same_company(actor, template.tenant_id)
    authorize(actor, MANAGE)
    clean = clean_task(template.tenant_id, data)
    with transaction.atomic():
        locked = (
            ChecklistTemplate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=template.pk)
        )
        last = TemplateTask.objects.for_tenant(locked.tenant_id).filter(template=locked).count()
        task = TemplateTask.objects.create(
            tenant=locked.tenant, template=locked, position=last + 1, **clean
        )
        _touch(actor, locked, {"added": task.title})
    return task


def update_task(actor: Actor, task: TemplateTask, data: Mapping[str, Any]) -> TemplateTask:
    same_company(actor, task.tenant_id)
    authorize(actor, MANAGE)
    merged = {**_task_values(task), **{k: v for k, v in data.items() if k in TASK_FIELDS}}
    clean = clean_task(task.tenant_id, merged)
    with transaction.atomic():
        template = (
            ChecklistTemplate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=task.template_id)
        )
        locked = TemplateTask.objects.select_for_update(of=("self",)).get(pk=task.pk)
        changes = changes_of(_task_values(locked), clean)
        if not changes:
            return locked
        for name, value in clean.items():
            setattr(locked, name, value)
        locked.save()
        _touch(actor, template, {"changed": locked.title, "fields": sorted(changes)})
    return locked


def remove_task(actor: Actor, task: TemplateTask) -> None:
    same_company(actor, task.tenant_id)
    authorize(actor, MANAGE)
    with transaction.atomic():
        template = (
            ChecklistTemplate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=task.template_id)
        )
        title = task.title
        TemplateTask.objects.filter(pk=task.pk).delete()
        _renumber(template)
        _touch(actor, template, {"removed": title})


def _renumber(template: ChecklistTemplate) -> list[TemplateTask]:
    tasks = list(TemplateTask.objects.for_tenant(template.tenant_id).filter(template=template))
    for position, row in enumerate(tasks, start=1):
        if row.position != position:
            row.position = position
            row.save(update_fields=["position"])
    return tasks


def move_task(actor: Actor, task: TemplateTask, *, up: bool) -> None:
    """Move a task one place up or down in its template's order."""
    same_company(actor, task.tenant_id)
    authorize(actor, MANAGE)
    with transaction.atomic():
        template = (
            ChecklistTemplate.objects.select_for_update(of=("self",))
            .select_related("tenant")
            .get(pk=task.template_id)
        )
        tasks = _renumber(template)
        index = next(i for i, row in enumerate(tasks) if row.pk == task.pk)
        other = index - 1 if up else index + 1
        if not 0 <= other < len(tasks):
            return
        tasks[index].position, tasks[other].position = tasks[other].position, tasks[index].position
        for row in (tasks[index], tasks[other]):
            row.save(update_fields=["position"])
        _touch(actor, template, {"moved": tasks[index].title, "to": tasks[index].position})


def update_settings(actor: Actor, tenant: Tenant, *, it_contact: Any) -> ChecklistSettings:
    """Who does the IT tasks (None: HR does)."""
    same_company(actor, tenant)
    authorize(actor, MANAGE)
    member = _row_of(Membership, tenant, it_contact, "it_contact")
    if member is not None and not member.is_active:
        raise ValidationError({"it_contact": [_("This member's access has ended.")]})
    with transaction.atomic():
        current, _created = ChecklistSettings.objects.select_for_update(of=("self",)).get_or_create(
            tenant=tenant
        )
        old = current.it_contact_id
        if old == (member.pk if member else None):
            return current
        current.it_contact = member
        current.save()
        record(
            actor,
            "checklist_settings.updated",
            tenant=tenant,
            target=current,
            changes={"it_contact": {"old": old, "new": member.pk if member else None}},
        )
        emit(
            "checklist_settings.updated",
            tenant=tenant,
            target=current,
            payload={"fields": ["it_contact"]},
        )
    return current
