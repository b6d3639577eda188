"""Roles: list, detail and, for those who manage roles, create, edit and delete custom roles.

Views parse input and call `kluis.company.services`; the services authorise and audit.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kluis.access.authorization import can
from kluis.access.decorators import member_required
from kluis.access.forms import RoleForm, add_service_errors, service_error_text
from kluis.access.models import Role
from kluis.access.permissions import CATALOGUE, SCOPE_LABELS, Scope
from kluis.company.services import create_role, delete_role, update_role


def _roles(request: HttpRequest) -> QuerySet[Role]:
    return Role.objects.for_actor(request.actor)  # type: ignore[attr-defined]


def _role(request: HttpRequest, pk: int) -> Role:
    """A role of the current company; another company's role is a 404 like a missing one."""
    role: Role = Role.objects.select_related("tenant").access_by_id(request.actor, pk)  # type: ignore[attr-defined]
    return role


def _require(request: HttpRequest, permission: str) -> None:
    """Checked after the lookup, so another company's role is a 404 for everyone."""
    if not can(request.actor, permission):  # type: ignore[attr-defined]
        raise PermissionDenied


def _grants(role: Role) -> dict[str, str]:
    return dict(role.permissions.values_list("permission", "scope"))


@member_required("access.view_roles")
def role_list(request: HttpRequest) -> HttpResponse:
    roles = _roles(request).annotate(holders=Count("assignments", distinct=True)).order_by("name")
    return render(
        request,
        "company/role_list.html",
        {"roles": roles, "can_manage": can(request.actor, "access.manage_roles")},  # type: ignore[attr-defined]
    )


@member_required()
def role_detail(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request, pk)
    _require(request, "access.view_roles")
    grants = _grants(role)
    permissions = [
        {
            "code": code,
            "label": spec.label,
            "scope": SCOPE_LABELS[Scope(grants[code])] if code in grants else None,
        }
        for code, spec in CATALOGUE.items()
    ]
    holders = role.assignments.select_related("membership__user").order_by(
        "membership__user__last_name", "membership__user__first_name"
    )
    return render(
        request,
        "company/role_detail.html",
        {
            "role": role,
            "permissions": permissions,
            "holders": holders,
            "can_manage": can(request.actor, "access.manage_roles"),  # type: ignore[attr-defined]
        },
    )


@member_required("access.manage_roles")
def role_create(request: HttpRequest) -> HttpResponse:
    form = RoleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            role = create_role(
                request.actor,  # type: ignore[attr-defined]
                request.tenant,  # type: ignore[attr-defined]
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                grants=form.grants(),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role %(name)s was created.") % {"name": role.name})
            return redirect("roles:role", pk=role.pk)
    return render(request, "company/role_form.html", {"form": form, "role": None})


@member_required()
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request, pk)
    _require(request, "access.manage_roles")
    if role.is_builtin:
        messages.error(request, _("Built-in roles cannot be changed; make a custom role instead."))
        return redirect("roles:role", pk=role.pk)
    form = RoleForm(
        request.POST or None,
        initial={"name": role.name, "description": role.description},
        grants=_grants(role),
    )
    if request.method == "POST" and form.is_valid():
        try:
            role = update_role(
                request.actor,  # type: ignore[attr-defined]
                role,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                grants=form.grants(),
            )
        except (ValidationError, PermissionDenied) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The role %(name)s was saved.") % {"name": role.name})
            return redirect("roles:role", pk=role.pk)
    return render(request, "company/role_form.html", {"form": form, "role": role})


@member_required()
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    role = _role(request, pk)
    _require(request, "access.manage_roles")
    if request.method == "POST":
        name = role.name
        try:
            delete_role(request.actor, role)  # type: ignore[attr-defined]
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, service_error_text(error))
            return redirect("roles:role", pk=role.pk)
        messages.success(request, _("The role %(name)s was deleted.") % {"name": name})
        return redirect("roles:roles")
    if role.is_builtin:
        messages.error(request, _("Built-in roles cannot be removed."))
        return redirect("roles:role", pk=role.pk)
    holders = role.assignments.count()
    return render(request, "company/role_confirm_delete.html", {"role": role, "holders": holders})
