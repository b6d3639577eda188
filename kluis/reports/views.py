"""Reports for HR and managers (headcount, turnover, absence, leave, contracts, age, tenure)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from kluis.access.decorators import member_required


@member_required("people.view")
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/index.html", {})
