"""/operator/status/: operators post and update incidents and planned maintenance."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kluis.access.operators import operator_actor, operator_required
from kluis.status import incidents
from kluis.status.components import COMPONENTS, STATE_LABELS
from kluis.status.models import Incident

COMPONENT_CHOICES = [(c.key, c.name) for c in COMPONENTS]
IMPACT_CHOICES = [(s.value, STATE_LABELS[s]) for s in incidents.IMPACTS]


class IncidentForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=incidents.TITLE_MAX)
    message = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea)
    components = forms.MultipleChoiceField(
        label=gettext_lazy("Affected components"),
        choices=COMPONENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    impact = forms.ChoiceField(label=gettext_lazy("Impact"), choices=IMPACT_CHOICES)


class MaintenanceForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=incidents.TITLE_MAX)
    message = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea)
    components = forms.MultipleChoiceField(
        label=gettext_lazy("Affected components"),
        choices=COMPONENT_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=gettext_lazy("Ends (UTC)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )


class UpdateForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Status"), choices=[])
    message = forms.CharField(label=gettext_lazy("Message"), widget=forms.Textarea)

    def __init__(self, incident: Incident, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        labels = (
            incidents.MAINTENANCE_STATUSES
            if incident.kind == Incident.Kind.MAINTENANCE
            else incidents.INCIDENT_STATUSES
        )
        self.fields["status"].choices = list(labels.items())  # type: ignore[attr-defined]
        self.prefix = f"u{incident.pk}"


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


@operator_required
@require_http_methods(["GET", "POST"])
def status_admin(request: HttpRequest) -> HttpResponse:
    incident_form = IncidentForm(prefix="incident")
    maintenance_form = MaintenanceForm(prefix="maintenance")
    open_ones = list(Incident.objects.filter(resolved_at__isnull=True).prefetch_related("updates"))
    update_forms = {i.pk: UpdateForm(i) for i in open_ones}
    if request.method == "POST":
        action = request.POST.get("action", "")
        actor = operator_actor(request)
        try:
            if action == "incident":
                incident_form = IncidentForm(request.POST, prefix="incident")
                if incident_form.is_valid():
                    incidents.open_incident(actor, **incident_form.cleaned_data)
                    messages.success(request, _("The incident is posted."))
                    return redirect("status:operator")
            elif action == "maintenance":
                maintenance_form = MaintenanceForm(request.POST, prefix="maintenance")
                with timezone.override(dt.UTC):  # the form's times are UTC, as labelled
                    valid = maintenance_form.is_valid()
                if valid:
                    data = maintenance_form.cleaned_data
                    incidents.schedule_maintenance(
                        actor,
                        title=data["title"],
                        message=data["message"],
                        components=data["components"],
                        starts_at=_utc(data["starts_at"]),
                        ends_at=_utc(data["ends_at"]),
                    )
                    messages.success(request, _("The maintenance is scheduled."))
                    return redirect("status:operator")
            elif action == "update":
                target = next(
                    (i for i in open_ones if str(i.pk) == request.POST.get("incident")), None
                )
                if target is not None:
                    form = UpdateForm(target, request.POST)
                    update_forms[target.pk] = form
                    if form.is_valid():
                        incidents.post_update(actor, target.pk, **form.cleaned_data)
                        messages.success(request, _("The update is posted."))
                        return redirect("status:operator")
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    recent = Incident.objects.filter(resolved_at__isnull=False).order_by("-resolved_at")[:20]
    return render(
        request,
        "status/operator.html",
        {
            "incident_form": incident_form,
            "maintenance_form": maintenance_form,
            "open_incidents": [
                (i, update_forms[i.pk], incidents.status_label(i.kind, i.status)) for i in open_ones
            ],
            "recent": recent,
        },
    )
