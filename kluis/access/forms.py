"""Forms for roles and role grants. They parse input; the services decide what is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kluis.access.models import Role
from kluis.access.permissions import CATALOGUE, SCOPE_LABELS, PermissionSpec, Scope

NOT_GRANTED = ""


def permission_field_name(code: str) -> str:
    return "perm_" + code.replace(".", "__")


def scope_choices(spec: PermissionSpec) -> list[tuple[str, Any]]:
    """Company-only permissions can only be granted for all of the company."""
    scopes = [Scope.COMPANY] if spec.company_only else [Scope.COMPANY, Scope.TEAM, Scope.SELF]
    return [(NOT_GRANTED, _("Not granted")), *[(s.value, SCOPE_LABELS[s]) for s in scopes]]


class RoleForm(forms.Form):
    """Name, description and, for every permission in the catalogue, how far it reaches."""

    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, grants: Mapping[str, str] | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        grants = grants or {}
        self.permission_names: list[tuple[str, str]] = []
        for code, spec in CATALOGUE.items():
            name = permission_field_name(code)
            self.fields[name] = forms.ChoiceField(
                label=spec.label,
                choices=scope_choices(spec),
                required=False,
                initial=grants.get(code, NOT_GRANTED),
                help_text=code,
            )
            self.permission_names.append((code, name))

    def permission_fields(self) -> list[forms.BoundField]:
        return [self[name] for _code, name in self.permission_names]

    def grants(self) -> dict[str, str]:
        """The chosen {permission: scope}, leaving out what is not granted."""
        return {
            code: self.cleaned_data[name]
            for code, name in self.permission_names
            if self.cleaned_data.get(name)
        }


class RoleChoiceField(forms.ModelChoiceField):
    """A choice of role, each shown by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class RoleMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Several roles, each shown by its name in the reader's language."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class GrantRoleForm(forms.Form):
    role = RoleChoiceField(label=_("Role"), queryset=Role.objects.none())

    def __init__(self, *args: Any, roles: QuerySet[Role], **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        field = self.fields["role"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = roles


def add_service_errors(
    form: forms.Form,
    error: ValidationError | PermissionDenied,
    *,
    fields: Mapping[str, str] | None = None,
) -> None:
    """Show a service's refusal on the form: each message on the form's field of that name
    (or the one `fields` maps the service's field name to, e.g. {"address": "street"}),
    on top of the form where the form has no such field or it has an error already.

    The one helper every app's views use (access is the lowest layer that has forms and
    knows PermissionDenied's wording; it names no domain)."""
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error) or _("You do not have permission to do this."))
        return
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    renamed = fields or {}
    for field, messages in error.message_dict.items():
        name = renamed.get(field, field)
        if name in form.fields and name not in form.errors:
            form.add_error(name, messages)
        else:
            form.add_error(None, messages)


def service_error_text(error: ValidationError | PermissionDenied) -> str:
    """A service's refusal as one sentence, for a message."""
    if isinstance(error, PermissionDenied):
        return str(error) or str(_("You do not have permission to do this."))
    return " ".join(error.messages)
