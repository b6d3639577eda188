"""The People settings pages: which fields employees may change themselves, custom fields,
teams and departments. For those who keep the whole company's HR file (`people.edit` for
all of the company); every write goes through the People services, which audit it."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors
from kluis.access.permissions import Scope
from kluis.people import services
from kluis.people.forms.settings import (
    FIELD_TYPE_LABELS,
    CustomFieldForm,
    DepartmentForm,
    SelfServiceForm,
    TeamForm,
)
from kluis.people.models import CustomFieldDefinition, Department, Team
from kluis.people.permissions import scope_of
from kluis.people.services import organisation
from kluis.tenancy.models import Tenant

View = Callable[..., HttpResponseBase]


def hr_settings_required(view: View) -> View:
    """Company-wide `people.edit`: an employee who may edit only their own file gets 403."""

    @member_required("people.edit")
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if scope_of(_actor(request), "people.edit") != Scope.COMPANY:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.tenant  # type: ignore[attr-defined]
    return tenant


def _show_archived(request: HttpRequest) -> bool:
    """The lists leave archived rows out unless asked (`?archived=1`)."""
    return request.GET.get("archived") == "1"


def _page(request: HttpRequest, template: str, tab: str, **context: Any) -> HttpResponse:
    return render(request, f"people/settings/{template}", {"tab": tab, **context})


@hr_settings_required
def self_service_settings(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = SelfServiceForm(
        request.POST if request.method == "POST" else None,
        initial={"self_editable_fields": services.self_editable(tenant)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            organisation.update_people_settings(
                _actor(request),
                tenant,
                self_editable_fields=form.cleaned_data["self_editable_fields"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The self-service settings were saved."))
            return redirect("people:settings")
    return _page(request, "self_service.html", "settings", form=form)


@hr_settings_required
def custom_fields(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = CustomFieldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            definition = organisation.define_custom_field(
                _actor(request),
                tenant,
                key=form.cleaned_data["key"],
                label=form.cleaned_data["label"],
                field_type=form.cleaned_data["field_type"],
                choices=form.choice_list(),
                required=form.cleaned_data["required"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The custom field %(label)s was added.") % {"label": definition.label}
            )
            return redirect("people:custom_fields")
    rows = CustomFieldDefinition.objects.for_actor(_actor(request)).order_by("position", "label")
    if not _show_archived(request):
        rows = rows.filter(is_active=True)
    definitions = [
        {"definition": d, "type": FIELD_TYPE_LABELS.get(d.field_type, d.field_type)}  # type: ignore[call-overload]
        for d in rows
    ]
    return _page(
        request,
        "custom_fields.html",
        "custom_fields",
        form=form,
        definitions=definitions,
        show_archived=_show_archived(request),
    )


@hr_settings_required
def teams(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = TeamForm(request.POST if request.method == "POST" else None, actor=_actor(request))
    if request.method == "POST" and form.is_valid():
        try:
            team = organisation.create_team(
                _actor(request),
                tenant,
                name=form.cleaned_data["name"],
                department=form.cleaned_data["department"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The team %(name)s was created.") % {"name": team.name})
            return redirect("people:teams")
    rows = Team.objects.for_actor(_actor(request)).select_related("department").order_by("name")
    if not _show_archived(request):
        rows = rows.filter(archived_at=None)
    return _page(
        request, "teams.html", "teams", form=form, teams=rows, show_archived=_show_archived(request)
    )


@hr_settings_required
def departments(request: HttpRequest) -> HttpResponse:
    tenant = _tenant(request)
    form = DepartmentForm(request.POST if request.method == "POST" else None, actor=_actor(request))
    if request.method == "POST" and form.is_valid():
        try:
            department = organisation.create_department(
                _actor(request),
                tenant,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                parent=form.cleaned_data["parent"],
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("The department %(name)s was created.") % {"name": department.name}
            )
            return redirect("people:departments")
    rows = Department.objects.for_actor(_actor(request)).select_related("parent").order_by("name")
    if not _show_archived(request):
        rows = rows.filter(archived_at=None)
    return _page(
        request,
        "departments.html",
        "departments",
        form=form,
        departments=rows,
        show_archived=_show_archived(request),
    )
