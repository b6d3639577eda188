"""Starting an offboarding from an employee's profile."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.offboarding.models import Moment
from kluis.people.models import Employee
from kluis.tenancy.models import Membership


class MemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.user.email)


class OffboardingForm(forms.Form):
    last_day = forms.DateField(
        label=_("Last working day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    moment = forms.ChoiceField(
        label=_("When access ends"),
        choices=Moment.choices,
        initial=Moment.END_OF_LAST_DAY,
        widget=forms.RadioSelect,
    )
    handover_to = MemberChoice(
        label=_("New owner of the integrations they made"),
        help_text=_(
            "API clients and webhooks they made keep working and are handed to this member."
        ),
        queryset=Membership.objects.none(),
    )

    def __init__(self, *args: Any, employee: Employee, actor: Actor, **kwargs: Any):
        super().__init__(*args, **kwargs)
        field = self.fields["handover_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Membership.objects.for_actor(actor)
            .filter(is_active=True)
            .exclude(pk__in=[employee.membership_id] if employee.membership_id else [])
            .select_related("user")
            .order_by("user__email")
        )
        field.initial = actor.membership.pk if actor.membership else None
