"""One employee's leave, for whoever may see it (`timeoff.view`: a manager their team's,
HR everyone's): their month, their balances and each balance line by line. HR
(`timeoff.manage`) also corrects a balance, records a Belgian joiner's holiday
certificate and marks Dutch statutory leave that could not be taken (the services in
kluis/timeoff/services/balances.py). Anyone else gets 404, as for any object out of
reach. The month grid and balances are my calendar's (self_service.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.people.models import Employee
from kluis.people.permissions import can_on, is_self
from kluis.people.selectors import employee_for
from kluis.timeoff import calendar, selectors
from kluis.timeoff.forms.employee_leave import CertificateForm, CorrectionForm, NotTakeableForm
from kluis.timeoff.models import (
    HolidayCertificate,
    LeaveRequest,
    LeaveType,
    LedgerEntry,
    Rule,
    Status,
)
from kluis.timeoff.services import balances
from kluis.timeoff.views.self_service import (
    actor_of,
    balance_rows,
    month_days,
    parse_month,
    shift_month,
    type_colours,
    with_amounts,
)

VIEW = "timeoff.view"
MANAGE = "timeoff.manage"
SICKNESS = "timeoff.view_sickness"
UPCOMING_SHOWN = 20


def _employee(actor: Actor, pk: int) -> Employee:
    """The employee whose leave the actor may see; anyone else's (or another company's,
    or an unknown id) is 404."""
    return employee_for(actor, pk, VIEW)


def _manages(actor: Actor, employee: Employee) -> bool:
    return can_on(actor, MANAGE, employee)


def _counted_types(actor: Actor) -> QuerySet[LeaveType]:
    ids = [t.pk for t in LeaveType.objects.for_actor(actor) if t.counts_balance]
    return LeaveType.objects.for_actor(actor).filter(pk__in=ids)


def _statutory_tranches(actor: Actor, employee: Employee) -> list[tuple[LeaveType, str]]:
    """The employee's Dutch statutory tranches (one per year), newest first."""
    types = {t.pk: t for t in LeaveType.objects.for_actor(actor).filter(rule=Rule.NL_STATUTORY)}
    if not types:
        return []
    found = (
        LedgerEntry.objects.for_actor(actor)
        .filter(employee_id=employee.pk, leave_type_id__in=list(types))
        .values_list("leave_type_id", "tranche")
        .distinct()
    )
    pairs = sorted(
        {(pk, tranche) for pk, tranche in found if balances.STATUTORY.match(tranche or "")},
        key=lambda pair: (pair[1], pair[0]),
        reverse=True,
    )
    return [(types[pk], tranche) for pk, tranche in pairs]


def _forms(actor: Actor, employee: Employee, bound: dict[str, Any] | None = None) -> dict[str, Any]:
    """HR's forms for this employee (none for anyone else): a correction always, a
    certificate where the company is Belgian, "not takeable" where a Dutch statutory
    tranche exists. `bound`: a form posted with errors, shown as it was sent."""
    if not _manages(actor, employee):
        return {}
    bound = bound or {}
    forms: dict[str, Any] = {
        "correction_form": bound.get("correction") or CorrectionForm(types=_counted_types(actor))
    }
    if calendar.settings_of(employee.tenant_id).country == "BE":
        forms["certificate_form"] = bound.get("certificate") or CertificateForm()
    tranches = _statutory_tranches(actor, employee)
    if tranches:
        forms["not_takeable_form"] = bound.get("not_takeable") or NotTakeableForm(tranches=tranches)
    return forms


def _page(
    request: HttpRequest, actor: Actor, employee: Employee, bound: dict[str, Any] | None = None
) -> HttpResponse:
    today = timezone.localdate()
    first = parse_month(request.GET.get("month"), today)
    weeks, noted = month_days(
        actor, employee, first, sick_details=can_on(actor, SICKNESS, employee)
    )
    rows = balance_rows(actor, employee)
    for row in rows:
        row["lines_url"] = reverse(
            "timeoff:employee_balance_lines", args=[employee.pk, row["leave_type"].pk]
        )
    upcoming = (
        LeaveRequest.objects.for_actor(actor)
        .filter(employee_id=employee.pk, end_date__gte=today)
        .exclude(status__in=[Status.CANCELLED, Status.REJECTED])
        .select_related("leave_type")
        .order_by("start_date", "pk")[:UPCOMING_SHOWN]
    )
    manages = _manages(actor, employee)
    certificates = (
        list(
            HolidayCertificate.objects.for_actor(actor)
            .filter(employee_id=employee.pk)
            .order_by("-year")
        )
        if calendar.settings_of(employee.tenant_id).country == "BE"
        else []
    )
    context = {
        "employee": employee,
        "mine": is_self(actor, employee),
        "month": first,
        "previous": shift_month(first, -1).strftime("%Y-%m"),
        "next": shift_month(first, 1).strftime("%Y-%m"),
        "this_month": today.replace(day=1) == first,
        "weekdays": [day.date for day in weeks[0]],
        "weeks": weeks,
        "noted": noted,
        "may_request": False,  # the grid's days are not links to my own request form
        "balances": rows,
        "upcoming": with_amounts(employee, list(upcoming)),
        "certificates": certificates,
        "colours": type_colours(actor),
        "manages": manages,
        **_forms(actor, employee, bound),
    }
    status = 400 if bound else 200
    return render(request, "timeoff/employee/leave.html", context, status=status)


@never_cache
@member_required(VIEW)
def employee_leave(request: HttpRequest, employee_pk: int) -> HttpResponse:
    actor = actor_of(request)
    employee = _employee(actor, employee_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    return _page(request, actor, employee)


@never_cache
@member_required(VIEW)
def employee_balance_lines(
    request: HttpRequest, employee_pk: int, leave_type_pk: int
) -> HttpResponse:
    """One of the employee's balances explained line by line, as of a day (`?as_of=`):
    the running total, each line's tranche and expiry, who wrote it."""
    actor = actor_of(request)
    employee = _employee(actor, employee_pk)
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    leave_type: LeaveType = LeaveType.objects.access_by_id(actor, leave_type_pk)
    if not leave_type.counts_balance:
        raise Http404(_("This leave type keeps no balance."))
    as_of = parse_date(request.GET.get("as_of") or "") or timezone.localdate()
    lines = selectors.ledger_lines(actor, employee, leave_type, as_of=as_of)
    found = selectors.balances_of(actor, employee, as_of=as_of)
    row = next((r for r in found if r.leave_type == leave_type), None)

    def shown(hours: Any) -> Any:
        return row.shown(hours) if row is not None else hours

    manages = _manages(actor, employee)
    context = {
        "employee": employee,
        "leave_type": leave_type,
        "in_days": row.in_days if row is not None else False,
        "as_of": as_of,
        "lines": [
            {"entry": entry, "amount": shown(entry.hours), "total": shown(total)}
            for entry, total in lines
        ],
        "total": shown(lines[-1][1]) if lines else 0,
        "manages": manages,
        "correction_form": CorrectionForm(
            types=_counted_types(actor), initial={"leave_type": leave_type.pk}
        )
        if manages
        else None,
    }
    return render(request, "timeoff/employee/balance_lines.html", context)


def _post_target(request: HttpRequest, employee_pk: int) -> tuple[Actor, Employee] | HttpResponse:
    """The employee of an HR write: 404 out of reach (before anything else), 405 for a
    GET, 403 for a reader who may see but not manage their leave."""
    actor = actor_of(request)
    employee = _employee(actor, employee_pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not _manages(actor, employee):
        raise PermissionDenied
    return actor, employee


def _done(request: HttpRequest, employee: Employee, text: str) -> HttpResponse:
    messages.success(request, text)
    home = reverse("timeoff:employee_leave", args=[employee.pk])
    back = request.POST.get("back", "")
    # Back to one of this employee's pages (the balance's lines), never anywhere else.
    if back.startswith(home) and "//" not in back and "\\" not in back:
        return redirect(back)
    return redirect(home)


@member_required(VIEW)
def correct(request: HttpRequest, employee_pk: int) -> HttpResponse:
    target = _post_target(request, employee_pk)
    if isinstance(target, HttpResponse):
        return target
    actor, employee = target
    form = CorrectionForm(request.POST, types=_counted_types(actor))
    if form.is_valid():
        try:
            balances.correct_balance(
                actor, employee, form.cleaned_data["leave_type"], form.service_data()
            )
        except (ValidationError, PermissionDenied) as error:
            form.refuse(error)
        else:
            return _done(request, employee, _("The balance is corrected."))
    return _page(request, actor, employee, {"correction": form})


@member_required(VIEW)
def record_certificate(request: HttpRequest, employee_pk: int) -> HttpResponse:
    target = _post_target(request, employee_pk)
    if isinstance(target, HttpResponse):
        return target
    actor, employee = target
    if calendar.settings_of(employee.tenant_id).country != "BE":
        raise Http404(_("Holiday certificates are Belgian."))
    form = CertificateForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            balances.record_certificate(
                actor, employee, data["year"], data["days"], data.get("employer", "")
            )
        except (ValidationError, PermissionDenied) as error:
            form.refuse(error)
        else:
            return _done(request, employee, _("The holiday certificate is recorded."))
    return _page(request, actor, employee, {"certificate": form})


@member_required(VIEW)
def not_takeable(request: HttpRequest, employee_pk: int) -> HttpResponse:
    target = _post_target(request, employee_pk)
    if isinstance(target, HttpResponse):
        return target
    actor, employee = target
    form = NotTakeableForm(request.POST, tranches=_statutory_tranches(actor, employee))
    if form.is_valid():
        leave_type, tranche = form.chosen()
        try:
            balances.mark_not_takeable(
                actor, employee, leave_type, tranche, form.cleaned_data["reason"]
            )
        except (ValidationError, PermissionDenied) as error:
            form.refuse(error)
        else:
            return _done(
                request, employee, _("These statutory days now keep five years after their year.")
            )
    return _page(request, actor, employee, {"not_takeable": form})
