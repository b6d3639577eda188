"""The managers' and HR's calendar pages: the approvals inbox (approve or reject one by
one, the row updated in place with htmx), the team calendar (week or month) and HR's
company overview. Thin: reads come from kluis.timeoff.team_calendar, writes from the
services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.people.permissions import can_on, scope_of
from kluis.timeoff import inbox, services
from kluis.timeoff import team_calendar as cal
from kluis.timeoff.forms.team import DecisionForm
from kluis.timeoff.models import LeaveRequest, Status
from kluis.timeoff.names import with_names
from kluis.timeoff.services._kit import StaleEntryError

PAGE_SIZE = 100
PAGE_SIZES = (100, 250, 500)  # the company overview's choices


def _actor(request: HttpRequest) -> Actor:
    return request.actor  # type: ignore[attr-defined]


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- approvals -------------------------------------------------------------------------------


@member_required("timeoff.approve")
def approvals(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    rows = inbox.inbox(actor)
    with_hr = with_names(inbox.waiting_for_hr(actor))
    with_names(row.request for row in rows)
    return render(
        request,
        "timeoff/team/approvals.html",
        {
            "rows": rows,
            "with_hr": with_hr,
            "company_wide": scope_of(actor, "timeoff.approve") == Scope.COMPANY,
        },
    )


def _request_for(actor: Actor, pk: int) -> LeaveRequest:
    """The request, or 404 when it is another company's or none of the actor's business."""
    found: LeaveRequest = LeaveRequest.objects.select_related(
        "employee", "leave_type", "tenant"
    ).access_by_id(actor, pk)
    employee = found.employee
    if not (can_on(actor, "timeoff.view", employee) or can_on(actor, "timeoff.approve", employee)):
        raise Http404("Not found")
    return found


def _back(request: HttpRequest) -> str:
    """Back where the decision was made (`next`, else the page that posted it: the
    inbox or the request's own page), never to another site."""
    for target in (request.POST.get("next"), request.headers.get("Referer")):
        if target and url_has_allowed_host_and_scheme(
            str(target), {request.get_host()}, require_https=request.is_secure()
        ):
            return str(target)
    return "timeoff:approvals"


def _decide(request: HttpRequest, pk: int, approve: bool) -> HttpResponse:
    actor = _actor(request)
    leave = _request_for(actor, pk)
    form = DecisionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = " ".join(str(m) for errors in form.errors.values() for m in errors)
    else:
        decide = services.approve_request if approve else services.reject_request
        try:
            leave = decide(
                actor,
                leave,
                comment=form.cleaned_data["comment"],
                expected_version=form.cleaned_data.get("version"),
            )
        except (PermissionDenied, services.ConflictError, StaleEntryError) as exc:
            error = str(exc) or _("You do not have permission to do this.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error:
        outcome = ""
    elif leave.status == Status.APPROVED:
        outcome = _("Approved: %(name)s is told.") % {"name": leave.employee.display_name}
    elif leave.status == Status.REJECTED:
        outcome = _("Rejected: %(name)s is told.") % {"name": leave.employee.display_name}
    else:
        outcome = _("Approved by you; it now waits for HR.")
    if _is_htmx(request):
        row = inbox.describe(actor, leave)
        with_names([row.request])
        return render(
            request,
            "timeoff/team/_waiting.html",
            {"row": row, "error": error, "outcome": outcome, "decided": not error},
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, outcome)
    return redirect(_back(request))


@require_POST
@member_required()
def approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=True)


@require_POST
@member_required()
def reject(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, approve=False)


# --- calendars -------------------------------------------------------------------------------


def _int(text: str | None) -> int | None:
    try:
        return int(str(text))
    except (TypeError, ValueError):
        return None


def _period(request: HttpRequest) -> dict[str, Any]:
    """The week (default) or month the page shows, with links to the ones around it."""
    today = dt.date.today()
    if request.GET.get("view") == "month":
        first, last = cal.month_of(cal.parse_month(request.GET.get("month"), today))
        before = cal.month_of(first - dt.timedelta(days=1))[0]
        after = last + dt.timedelta(days=1)
        return {
            "view": "month",
            "first": first,
            "last": last,
            "prev": {"view": "month", "month": before.strftime("%Y-%m")},
            "next": {"view": "month", "month": after.strftime("%Y-%m")},
            "now": {"view": "month"},
        }
    first, last = cal.week_of(cal.parse_day(request.GET.get("date"), today))
    return {
        "view": "week",
        "first": first,
        "last": last,
        "prev": {"date": (first - dt.timedelta(days=7)).isoformat()},
        "next": {"date": (first + dt.timedelta(days=7)).isoformat()},
        "now": {},
    }


def _link(params: dict[str, Any], keep: dict[str, Any]) -> str:
    return "?" + urlencode({**{k: v for k, v in keep.items() if v}, **params})


@member_required("timeoff.view_calendar")
def team_calendar(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    period = _period(request)
    teams, departments = cal.choices(actor)
    team = next((t for t in teams if t.pk == _int(request.GET.get("team"))), None)
    department = next((d for d in departments if d.pk == _int(request.GET.get("department"))), None)
    who = cal.people(actor)
    if team is not None:
        who = who.filter(team_id=team.pk)
    elif department is not None:
        who = who.filter(department_id=department.pk)
    else:
        who = who.filter(cal.my_team(actor))
    page = Paginator(who.order_by("last_name", "first_name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    days = cal.days_of(actor, period["first"], period["last"])
    keep = {
        "team": team.pk if team else "",
        "department": department.pk if department else "",
    }
    return render(
        request,
        "timeoff/team/calendar.html",
        {
            "period": period,
            "days": days,
            "rows": cal.grid(actor, page.object_list, days),
            "page": page,
            "teams": teams,
            "departments": departments,
            "team": team,
            "department": department,
            "prev_url": _link(period["prev"], keep),
            "next_url": _link(period["next"], keep),
            "now_url": _link(period["now"], keep),
            "week_url": _link({"date": period["first"].isoformat()}, keep),
            "month_url": _link({"view": "month", "month": period["first"].strftime("%Y-%m")}, keep),
            "page_params": urlencode(
                {
                    **{k: v for k, v in keep.items() if v},
                    **{k: v for k, v in request.GET.items() if k in ("view", "month", "date")},
                }
            ),
            "company_wide": scope_of(actor, "timeoff.view") == Scope.COMPANY,
        },
    )


@member_required("timeoff.view")
def company_overview(request: HttpRequest) -> HttpResponse:
    """HR's month of everyone, by department, 100 people a page (250 or 500 when asked)."""
    actor = _actor(request)
    if scope_of(actor, "timeoff.view") != Scope.COMPANY:
        raise PermissionDenied
    today = dt.date.today()
    first, last = cal.month_of(cal.parse_month(request.GET.get("month"), today))
    who = cal.people(actor).order_by("department__name", "last_name", "first_name", "pk")
    per_page = _int(request.GET.get("per_page"))
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZE
    page = Paginator(who, per_page).get_page(request.GET.get("page"))
    days = cal.days_of(actor, first, last)
    month = first.strftime("%Y-%m")
    page_params = f"month={month}" + (f"&per_page={per_page}" if per_page != PAGE_SIZE else "")
    return render(
        request,
        "timeoff/team/company.html",
        {
            "first": first,
            "days": days,
            "rows": cal.grid(actor, page.object_list, days),
            "page": page,
            "month": month,
            "page_params": page_params,
            "per_page": per_page,
            "page_sizes": PAGE_SIZES,
            "prev_url": "?month=" + cal.month_of(first - dt.timedelta(days=1))[0].strftime("%Y-%m"),
            "next_url": "?month=" + (last + dt.timedelta(days=1)).strftime("%Y-%m"),
            "now_url": "?",
        },
    )
