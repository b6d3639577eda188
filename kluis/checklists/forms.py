"""Forms of the checklists' pages. They parse input; the services validate again and
decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.checklists.models import ChecklistTemplate, Completion, Kind, OwnerRole
from kluis.people.models import ContractType, Department
from kluis.tenancy.models import Membership


def _members(actor: Actor) -> Any:
    return Membership.objects.for_actor(actor).filter(is_active=True).select_related("user")


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.display_name


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=120)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Every department"),
        help_text=_("Offered for employees of this department only."),
    )
    contract_type = forms.ChoiceField(
        label=_("Contract type"),
        choices=[("", _("Every contract type")), *ContractType.choices],
        required=False,
        help_text=_("Offered for this kind of contract only. The most specific template wins."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.for_actor(actor)  # type: ignore[attr-defined]


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Task"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner_role = forms.ChoiceField(label=_("Done by"), choices=OwnerRole.choices)
    member = MemberChoice(
        label=_("Named person"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("Only when the task is done by a named person."),
    )
    due_offset_days = forms.IntegerField(
        label=_("Due (days)"),
        initial=0,
        min_value=-366,
        max_value=366,
        help_text=_("Days after the start date or the last working day; -5 is 5 days before."),
    )
    completion = forms.ChoiceField(
        label=_("Where it is done"), choices=Completion.choices, required=False
    )
    completion_path = forms.CharField(
        label=_("Page of Kluis"),
        max_length=200,
        required=False,
        help_text=_("For “Another page of Kluis”: its path, e.g. /time-off/."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = _members(actor)  # type: ignore[attr-defined]


class SettingsForm(forms.Form):
    it_contact = MemberChoice(
        label=_("IT contact"),
        queryset=Membership.objects.none(),
        required=False,
        empty_label=_("Nobody: HR does IT's tasks"),
        help_text=_("Who does the tasks of checklists marked for IT."),
    )

    def __init__(self, *args: Any, actor: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["it_contact"].queryset = _members(actor)  # type: ignore[attr-defined]


class StartForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Checklist"), queryset=ChecklistTemplate.objects.none()
    )
    anchor_date = forms.DateField(
        label=_("Counted from"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The start date, or the last working day: due dates count from it."),
    )

    def __init__(self, *args: Any, actor: Actor, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = ChecklistTemplate.objects.for_actor(actor).filter(  # type: ignore[attr-defined]
            kind=kind, is_active=True
        )


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """A service's errors on the form's fields (others above them)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
