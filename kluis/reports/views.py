"""Reports for HR and managers (headcount, turnover, absence, leave, contracts, age, tenure).

Each report is a page (an SVG chart, its figures as a table, how they were counted) and a
CSV export of the same table. Who may open which report, and whose figures it counts,
follows the report's permission (kluis/reports/catalogue.py): company-wide for HR, the
team for a manager; someone who holds it only for themselves gets 403."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.access.permissions import Scope
from kluis.audit.services import record
from kluis.operations import spreadsheets
from kluis.people.models import Department
from kluis.reports import leave
from kluis.reports.catalogue import REPORTS, Report, visible_to
from kluis.reports.filters import FilterForm, Filters, defaults
from kluis.reports.scope import reach_of
from kluis.reports.tables import SUPPRESSED_MARK, SUPPRESSED_TEXT, Result, Table

NUMBER = re.compile(r"-?\d+(\.\d+)?")


@member_required()
def index(request: HttpRequest) -> HttpResponse:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    reports = visible_to(actor)
    if not reports:
        raise PermissionDenied
    return render(
        request,
        "reports/index.html",
        {"reports": [(r, reach == Scope.COMPANY) for r, reach in reports]},
    )


def _open(request: HttpRequest, key: str) -> tuple[Actor, Report, str]:
    report = REPORTS.get(key)
    if report is None:
        raise Http404
    actor: Actor = request.actor  # type: ignore[attr-defined]
    reach = reach_of(actor, report.permission)
    if reach is None:
        raise PermissionDenied
    return actor, report, reach


def _form(actor: Actor, report: Report, data: Any) -> tuple[FilterForm, Filters | None]:
    today = timezone.localdate()
    departments = list(
        Department.objects.for_actor(actor).order_by("name").values_list("pk", "name")
    )
    types = (
        [(t.pk, t.name) for t in leave.leave_types(actor)] if "leave_type" in report.filters else []
    )
    # A filter left out shows its default in the form (an empty month field reads
    # "--------- ----" in Chromium), not only in the figures.
    shown = {**defaults(today).query(report.filters), **{k: v for k, v in data.items() if v}}
    form = FilterForm(
        shown, names=report.filters, departments=departments, leave_types=types, today=today
    )
    if not form.is_valid():
        return form, None
    return form, form.filters(defaults(today), types)


@member_required()
def report_page(request: HttpRequest, key: str) -> HttpResponse:
    actor, report, reach = _open(request, key)
    form, filters = _form(actor, report, request.GET)
    context: dict[str, Any] = {"report": report, "company": reach == Scope.COMPANY, "form": form}
    if filters is None:
        return render(request, "reports/report.html", context, status=400)
    result = report.build(actor, filters)
    context.update(
        result=result,
        groups=_shown(result.table),
        suppressed=result.table.any_suppressed(),
        suppressed_mark=SUPPRESSED_MARK,
        suppressed_text=SUPPRESSED_TEXT,
        csv_query=urlencode(filters.query(report.filters)),
    )
    return render(request, "reports/report.html", context)


def _shown(table: Table) -> list[dict[str, Any]]:
    return [
        {
            "label": group.label,
            "rows": [
                {
                    "label": row.label,
                    "total": row.total,
                    "suppressed": row.suppressed,
                    "cells": table.shown(row),
                }
                for row in group.rows
            ],
        }
        for group in table.groups
    ]


@member_required()
def report_csv(request: HttpRequest, key: str) -> HttpResponseBase:
    actor, report, _reach = _open(request, key)
    form, filters = _form(actor, report, request.GET)
    if filters is None:
        return render(
            request,
            "reports/report.html",
            {"report": report, "company": _reach == Scope.COMPANY, "form": form},
            status=400,
        )
    result = report.build(actor, filters)
    rows = _csv_rows(result)
    assert actor.tenant is not None  # _open() let only members in
    with transaction.atomic():
        record(
            actor,
            "report.exported",
            tenant=actor.tenant,
            object_type="reports.report",
            object_id=report.key,
            object_repr=str(report.title),
            changes={"filters": filters.query(report.filters), "rows": len(rows)},
        )
    name = f"kluis-report-{report.key}-{actor.tenant.slug}-{dt.date.today().isoformat()}.csv"
    return spreadsheets.csv_response(spreadsheets.csv_lines(result.table.csv_header(), rows), name)


def _csv_rows(result: Result) -> list[list[str]]:
    """The table's rows with every text cell made safe for spreadsheets (a label starting
    with = + - @ is prefixed with '); numbers are written as numbers."""
    out = []
    for cells in result.table.csv_rows():
        out.append([_safe(cell) for cell in cells])
    return out


def _safe(cell: str) -> str:
    return cell if NUMBER.fullmatch(cell) else spreadsheets.safe_cell(cell)
