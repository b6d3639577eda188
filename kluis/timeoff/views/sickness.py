"""Sick periods on the web: reporting one (an employee for themself, HR for anyone), one
period's page (its dates for the team; its kind, reason and note only with
`timeoff.view_sickness`, each opening of the reason and note an audited read), changing,
closing, reopening or deleting it through the services, and the list of periods."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import add_service_errors
from kluis.access.permissions import Scope
from kluis.audit.services import MASK, record
from kluis.people.models import Employee, EmployeeStatus
from kluis.people.permissions import actor_employee_id, can_on, scope_of, scoped
from kluis.timeoff import services
from kluis.timeoff import team_calendar as cal
from kluis.timeoff.forms.team import AbsenceChangeForm, SickForm
from kluis.timeoff.models import Absence, AbsenceKind
from kluis.timeoff.services._kit import StaleEntryError
from kluis.timeoff.services.absences import reason_of

REGISTER = "timeoff.register_sickness"
SICKNESS = "timeoff.view_sickness"
DETAILS = ("kind", "reason", "note")
KINDS = dict(AbsenceKind.choices)
ACTIONS = {"registered": _l("Registered"), "changed": _l("Changed")}
FIELD_LABELS = {
    "kind": _l("Kind"),
    "start_date": _l("First day"),
    "end_date": _l("Last day"),
    "reason": _l("Reason"),
    "note": _l("Note"),
}


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


# --- reporting sick --------------------------------------------------------------------------


@member_required(REGISTER)
def report_sick(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    people = None
    if scope_of(actor, REGISTER) == Scope.COMPANY:
        people = (
            scoped(actor, REGISTER, Employee.objects.all())
            .exclude(status=EmployeeStatus.LEFT)
            .order_by("last_name", "first_name", "pk")
        )
    own = actor_employee_id(actor)
    if people is None and own is None:
        return render(request, "timeoff/team/no_file.html", status=403)
    form = SickForm(request.POST or None, people=people)
    if people is not None and own is not None and not request.POST:
        form.fields["employee"].initial = own
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee = data.get("employee") or Employee.objects.access_by_id(actor, own)
        try:
            absence = services.register_absence(actor, employee, data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You do not have permission to do this."))
        else:
            messages.success(request, _("Sick period registered. Get well soon."))
            return redirect("timeoff:absence_detail", pk=absence.pk)
    return render(request, "timeoff/team/report_sick.html", {"form": form})


# --- one sick period -------------------------------------------------------------------------


def _absence_for(actor: Actor, pk: int) -> Absence:
    found: Absence = Absence.objects.select_related("employee", "tenant").access_by_id(actor, pk)
    if not cal.may_see_absence(actor, found):
        raise Http404("Not found")
    return found


def _audited_reason(actor: Actor, absence: Absence) -> tuple[str, str] | None:
    """The reason and note for a reader allowed them; opening them is recorded in the
    audit log (like the people file's sensitive reads)."""
    opened = reason_of(actor, absence)
    if opened is None:
        return None
    shown = [name for name, text in zip(("reason", "note"), opened, strict=True) if text]
    if shown and not actor.is_system:
        record(
            actor,
            "absence.sensitive_viewed",
            tenant=absence.tenant,
            target=absence,
            object_repr=absence.employee.display_name,
            changes={"fields": shown},
            alone=True,
        )
    return opened


def _history(absence: Absence, sees_details: bool) -> list[dict[str, Any]]:
    steps = []
    for step in absence.history.all():
        changes = []
        for name in step.changed_fields:
            hidden = name in DETAILS and not sees_details
            changes.append(
                {
                    "field": name,
                    "label": FIELD_LABELS.get(name, name),
                    "old": MASK
                    if hidden and step.old_values.get(name)
                    else step.old_values.get(name),
                    "new": MASK
                    if hidden and step.new_values.get(name)
                    else step.new_values.get(name),
                }
            )
        steps.append(
            {"step": step, "action": ACTIONS.get(step.action, step.action), "changes": changes}
        )
    return steps


def _messages_of(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or _("You do not have permission to do this.")


REFUSED = (ValidationError, PermissionDenied, services.ConflictError, StaleEntryError)


def _quick(actor: Actor, absence: Absence, request: HttpRequest, action: str) -> HttpResponse:
    """Close, reopen or delete in one click; a refusal comes back as a message."""
    version = cal_int(request.POST.get("version"))
    if action == "delete":
        page = confirm_first(
            request,
            title=_("Delete this sick period of %(name)s?")
            % {"name": absence.employee.display_name},
            message=_(
                "Only for a period registered by mistake: it disappears from the calendar, "
                "the balances and the payroll export. This cannot be undone."
            ),
            button=_("Delete sick period"),
            cancel=reverse("timeoff:absence_detail", args=[absence.pk]),
        )
        if page is not None:
            return page
    try:
        if action == "delete":
            services.delete_absence(actor, absence, expected_version=version)
            messages.success(request, _("Sick period deleted."))
            return redirect("timeoff:absences")
        if action == "close":
            end = cal.parse_day(request.POST.get("end_date"), dt.date.today())
            services.end_absence(
                actor, absence, max(end, absence.start_date), expected_version=version
            )
            messages.success(request, _("Sick period closed."))
        else:
            services.update_absence(actor, absence, {"end_date": None}, expected_version=version)
            messages.success(request, _("Sick period reopened."))
    except REFUSED as exc:
        messages.error(request, _messages_of(exc))
    return redirect("timeoff:absence_detail", pk=absence.pk)


def _change(
    actor: Actor, absence: Absence, request: HttpRequest, sees: bool
) -> HttpResponse | AbsenceChangeForm:
    """Save the change form; returns a redirect, or the form with its errors."""
    form = AbsenceChangeForm(request.POST, sees_details=sees)
    if not form.is_valid():
        return form
    changes = dict(form.cleaned_data)
    version = changes.pop("version", None)
    try:
        services.update_absence(actor, absence, changes, expected_version=version)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return form
    except REFUSED as exc:
        form.add_error(None, _messages_of(exc))
        return form
    messages.success(request, _("Sick period saved."))
    return redirect("timeoff:absence_detail", pk=absence.pk)


def cal_int(text: str | None) -> int | None:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


@member_required()
def absence_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    absence = _absence_for(actor, pk)
    employee = absence.employee
    sees = can_on(actor, SICKNESS, employee)
    may_change = can_on(actor, REGISTER, employee)
    may_delete = scope_of(actor, "timeoff.manage") == Scope.COMPANY
    form = None
    if request.method == "POST":
        if not may_change and not may_delete:
            raise PermissionDenied
        action = request.POST.get("action", "change")
        if action in ("close", "reopen", "delete"):
            return _quick(actor, absence, request, action)
        outcome = _change(actor, absence, request, sees)
        if not isinstance(outcome, AbsenceChangeForm):
            return outcome
        form = outcome
    opened = _audited_reason(actor, absence)
    if form is None and may_change:
        initial: dict[str, Any] = {
            "kind": absence.kind,
            "start_date": absence.start_date,
            "end_date": absence.end_date,
            "version": absence.version,
        }
        if opened is not None:
            initial.update(reason=opened[0], note=opened[1])
        form = AbsenceChangeForm(initial=initial, sees_details=sees)
    return render(
        request,
        "timeoff/team/absence_detail.html",
        {
            "absence": absence,
            "employee": employee,
            "sees": sees,
            "kind": absence.get_kind_display() if sees else "",
            "opened": opened,
            "form": form,
            "may_change": may_change,
            "may_delete": may_delete,
            "history": _history(absence, sees),
            "today": dt.date.today(),
        },
        status=400 if form is not None and form.errors else 200,
    )


# --- the list --------------------------------------------------------------------------------


@member_required()
def absences(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    found = cal.absences_for(actor).order_by("-start_date", "-pk")
    state = request.GET.get("state", "")
    if state == "open":
        found = found.filter(end_date__isnull=True)
    elif state == "closed":
        found = found.filter(end_date__isnull=False)
    elif state == "current":
        today = dt.date.today()
        found = found.filter(start_date__lte=today).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=today)
        )
    people = (
        Employee.objects.for_actor(actor)
        .filter(pk__in=cal.absences_for(actor).values("employee_id"))
        .order_by("last_name", "first_name", "pk")
    )
    chosen = cal_int(request.GET.get("employee"))
    if chosen is not None:
        found = found.filter(employee_id=chosen)
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    rows = [
        {
            "absence": a,
            "kind": a.get_kind_display() if can_on(actor, SICKNESS, a.employee) else "",
        }
        for a in page.object_list
    ]
    keep = "&".join(f"{k}={v}" for k, v in (("state", state), ("employee", chosen or "")) if v)
    return render(
        request,
        "timeoff/team/absences.html",
        {
            "rows": rows,
            "page": page,
            "state": state,
            "people": people,
            "chosen": chosen,
            "keep": keep,
            "may_report": scope_of(actor, REGISTER) is not None,
        },
    )
