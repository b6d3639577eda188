"""Forms of the People settings pages. They parse input; the services validate and audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kluis.people.fields import EMPLOYEE_FIELDS, SELF_EDITABLE_CHOICES
from kluis.people.models import CustomFieldDefinition, Department, Team

if TYPE_CHECKING:
    from kluis.access.actor import Actor

FIELD_TYPE_LABELS = {
    CustomFieldDefinition.FieldType.TEXT: _("Text"),
    CustomFieldDefinition.FieldType.NUMBER: pgettext_lazy("custom field type", "Number"),
    CustomFieldDefinition.FieldType.DATE: _("Date"),
    CustomFieldDefinition.FieldType.CHOICE: _("Choice from a list"),
    CustomFieldDefinition.FieldType.BOOLEAN: _("Yes/no"),
}


def self_editable_label(name: str) -> Any:
    if name == "emergency_contacts":
        return _("Emergency contacts")
    if name == "photo":
        return _("Photo")
    return EMPLOYEE_FIELDS[name].label


class SettingsForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SelfServiceForm(SettingsForm):
    self_editable_fields = forms.MultipleChoiceField(
        label=_("Employees may change these details about themselves"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(name, self_editable_label(name)) for name in SELF_EDITABLE_CHOICES],
        help_text=_(
            "A change of bank account always asks for the employee's password again and "
            "tells HR by e-mail."
        ),
    )


class CustomFieldForm(SettingsForm):
    label = forms.CharField(label=_("Label"), max_length=100)
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        help_text=_(
            "Lowercase letters, digits and underscores, e.g. badge_number. Used in exports "
            "and the API; it cannot change later."
        ),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "spellcheck": "false"}),
    )
    field_type = forms.ChoiceField(
        label=_("Type"), choices=[(value, label) for value, label in FIELD_TYPE_LABELS.items()]
    )
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a choice field: one choice per line."),
    )
    required = forms.BooleanField(label=_("Required"), required=False)

    def choice_list(self) -> list[str]:
        text: str = self.cleaned_data.get("choices") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


def _offered(actor: Actor, held: int | None, exclude: int | None = None) -> Any:
    """The departments offered for a choice: not archived, unless it is the value held."""
    rows = Department.objects.for_actor(actor).filter(Q(archived_at__isnull=True) | Q(pk=held or 0))
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.order_by("name")


class TeamForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("No department"),
    )

    def __init__(self, *args: Any, actor: Actor, team: Team | None = None, **kwargs: Any) -> None:
        if team is not None:
            kwargs.setdefault("initial", {"name": team.name, "department": team.department_id})
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = _offered(actor, team.department_id if team else None)


class DepartmentForm(SettingsForm):
    name = forms.CharField(label=_("Name"), max_length=120)
    code = forms.CharField(label=_("Code"), max_length=30, required=False)
    parent = forms.ModelChoiceField(
        label=_("Part of"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("No parent department"),
    )

    def __init__(
        self, *args: Any, actor: Actor, department: Department | None = None, **kwargs: Any
    ) -> None:
        if department is not None:
            kwargs.setdefault(
                "initial",
                {"name": department.name, "code": department.code, "parent": department.parent_id},
            )
        super().__init__(*args, **kwargs)
        field = self.fields["parent"]
        assert isinstance(field, forms.ModelChoiceField)
        held = department.parent_id if department else None
        field.queryset = _offered(actor, held, exclude=department.pk if department else None)


class CustomFieldEditForm(SettingsForm):
    """A definition's label, choices, whether it is required and its place; its key and
    type cannot change (stored values depend on them)."""

    label = forms.CharField(label=_("Label"), max_length=100)
    choices = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For a choice field: one choice per line. A choice employees still hold cannot "
            "be removed."
        ),
    )
    required = forms.BooleanField(label=_("Required"), required=False)
    position = forms.IntegerField(
        label=_("Position"), min_value=0, help_text=_("Place in forms and lists.")
    )

    def __init__(self, *args: Any, definition: CustomFieldDefinition, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "label": definition.label,
                "choices": "\n".join(definition.choices),
                "required": definition.required,
                "position": definition.position,
            },
        )
        super().__init__(*args, **kwargs)
        if definition.field_type != CustomFieldDefinition.FieldType.CHOICE:
            del self.fields["choices"]

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if "choices" in data:
            text: str = data["choices"] or ""
            data["choices"] = [line.strip() for line in text.splitlines() if line.strip()]
        return data
