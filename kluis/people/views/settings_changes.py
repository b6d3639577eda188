"""Changing what the People settings list: edit, archive (or bring back) and delete a
department, team or custom field. Archiving and deleting ask for confirmation on a page of
their own (no JavaScript needed) that says what happens and, when the rules refuse, why.
Every write goes through the People services, which authorise, validate and audit it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from kluis.access.actor import Actor
from kluis.access.forms import add_service_errors, service_error_text
from kluis.people.forms.settings import CustomFieldEditForm, DepartmentForm, TeamForm
from kluis.people.models import CustomFieldDefinition, Department, Employee, Team
from kluis.people.services import custom_fields, organisation
from kluis.people.services._org import (
    StillInUseError,
    history_naming,
    refuse_history,
    uses_text,
)
from kluis.people.services.teams import team_uses
from kluis.people.views.settings import hr_settings_required


@dataclass(frozen=True)
class Kind:
    model: type[Model]
    tab: str  # the settings tab and the name of its list page
    title: Any  # "Department", translated when shown
    form: Callable[..., Any]
    change: Callable[..., Any]
    remove: Callable[..., Any]


def _custom_field_form(*args: Any, actor: Actor, row: Any, **kwargs: Any) -> Any:
    return CustomFieldEditForm(*args, definition=row, **kwargs)


KINDS = {
    "departments": Kind(
        Department,
        "departments",
        gettext_lazy("Department"),
        lambda *a, actor, row, **kw: DepartmentForm(*a, actor=actor, department=row, **kw),
        organisation.update_department,
        organisation.delete_department,
    ),
    "teams": Kind(
        Team,
        "teams",
        gettext_lazy("Team"),
        lambda *a, actor, row, **kw: TeamForm(*a, actor=actor, team=row, **kw),
        organisation.update_team,
        organisation.delete_team,
    ),
    "custom_fields": Kind(
        CustomFieldDefinition,
        "custom_fields",
        gettext_lazy("Custom field"),
        _custom_field_form,
        custom_fields.update_custom_field,
        custom_fields.delete_custom_field,
    ),
}


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _row(request: HttpRequest, kind: Kind, pk: int) -> Any:
    return kind.model._default_manager.access_by_id(  # type: ignore[attr-defined]
        _actor(request), pk, not_found="Not found"
    )


def is_archived(row: Any) -> bool:
    if isinstance(row, CustomFieldDefinition):
        return not row.is_active
    return row.archived_at is not None


def _archive_change(row: Any, archived: bool) -> dict[str, Any]:
    if isinstance(row, CustomFieldDefinition):
        return {"is_active": not archived}
    return {"archived": archived}


def _render(
    request: HttpRequest, template: str, kind: Kind, status: int = 200, **context: Any
) -> HttpResponse:
    return render(
        request,
        f"people/settings/{template}",
        {
            "tab": kind.tab,
            "kind": kind,
            "list_url": f"people:{kind.tab}",
            "archive_url": f"people:{kind.tab[:-1]}_archive",
            **context,
        },
        status=status,
    )


@hr_settings_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, kind_name: str, pk: int) -> HttpResponseBase:
    kind = KINDS[kind_name]
    actor = _actor(request)
    row = _row(request, kind, pk)
    form = kind.form(request.POST if request.method == "POST" else None, actor=actor, row=row)
    if request.method == "POST" and form.is_valid():
        data = form.service_data() if hasattr(form, "service_data") else dict(form.cleaned_data)
        try:
            kind.change(actor, row, data)
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s was saved.") % {"name": _label(row, data)})
            return redirect(f"people:{kind.tab}")
    return _render(request, "edit.html", kind, form=form, row=row)


def _label(row: Any, data: dict[str, Any]) -> str:
    return str(data.get("name") or data.get("label") or row)


def archive_consequence(actor: Actor, row: Any) -> str:
    """What archiving leaves as it is, in a sentence for the confirmation."""
    if isinstance(row, CustomFieldDefinition):
        held = Employee.objects.for_actor(actor).filter(custom_fields__has_key=row.key)
        count = held.count()
        return ngettext(
            "%(count)d employee has a value; it is kept and shown on their profile and in "
            "exports, but the field is no longer asked for in forms and imports.",
            "%(count)d employees have a value; it is kept and shown on their profiles and in "
            "exports, but the field is no longer asked for in forms and imports.",
            count,
        ) % {"count": count}
    link = {"department": row} if isinstance(row, Department) else {"team": row}
    count = history_naming(row.tenant, **link)
    return ngettext(
        "%(count)d contract names it. It stays on contracts, profiles and exports, but can no "
        "longer be chosen for a new contract, team or department.",
        "%(count)d contracts name it. It stays on contracts, profiles and exports, but can no "
        "longer be chosen for a new contract, team or department.",
        count,
    ) % {"count": count}


@hr_settings_required
@require_http_methods(["GET", "POST"])
def archive(request: HttpRequest, kind_name: str, pk: int) -> HttpResponseBase:
    """Archive, or bring back an archived one: a confirmation page, then the change."""
    kind = KINDS[kind_name]
    row = _row(request, kind, pk)
    archiving = not is_archived(row)
    if request.method == "POST":
        try:
            kind.change(_actor(request), row, _archive_change(row, archiving))
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, service_error_text(error))
        else:
            done = _("%(name)s was archived.") if archiving else _("%(name)s is in use again.")
            messages.success(request, done % {"name": row})
        return redirect(f"people:{kind.tab}")
    return _render(
        request,
        "confirm_archive.html",
        kind,
        row=row,
        archiving=archiving,
        consequence=archive_consequence(_actor(request), row) if archiving else "",
    )


def delete_refusal(row: Any) -> str:
    """Why the rules refuse deleting `row` ("" when they allow it), as the service says."""
    tenant = row.tenant
    if isinstance(row, CustomFieldDefinition):
        return ""
    if isinstance(row, Team):
        uses = uses_text(team_uses(tenant, row))
        if uses:
            return _("This team still has %(uses)s: move them first.") % {"uses": uses}
        link: dict[str, Any] = {"team": row}
    else:
        uses = uses_text(organisation.department_uses(tenant, row))
        if uses:
            return _("This department still has %(uses)s: move them first.") % {"uses": uses}
        link = {"department": row}
    try:
        refuse_history(history_naming(tenant, **link), "team" if "team" in link else "department")
    except StillInUseError as error:
        return str(error)
    return ""


def delete_consequence(actor: Actor, row: Any) -> str:
    if not isinstance(row, CustomFieldDefinition):
        return _("Deleting cannot be undone; the audit log keeps a record.")
    count = Employee.objects.for_actor(actor).filter(custom_fields__has_key=row.key).count()
    return ngettext(
        "%(count)d employee's value of this field goes with it (it stays in their history). "
        "To keep the values, archive the field instead.",
        "%(count)d employees' values of this field go with it (they stay in their history). "
        "To keep the values, archive the field instead.",
        count,
    ) % {"count": count}


@hr_settings_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, kind_name: str, pk: int) -> HttpResponseBase:
    kind = KINDS[kind_name]
    row = _row(request, kind, pk)
    refusal = ""
    if request.method == "POST":
        try:
            kind.remove(_actor(request), row)
        except (StillInUseError, PermissionDenied) as error:
            refusal = str(error) or _("You do not have permission to do this.")
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": row})
            return redirect(f"people:{kind.tab}")
    else:
        refusal = delete_refusal(row)
    return _render(
        request,
        "confirm_delete.html",
        kind,
        row=row,
        refusal=refusal,
        consequence=delete_consequence(_actor(request), row),
        archived=is_archived(row),
        status=409 if refusal and request.method == "POST" else 200,
    )
