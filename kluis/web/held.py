"""A page whose action the company holds for a second approver (kluis.access.holds)
takes the person to the waiting request, saying so; nothing else changed."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from kluis.access.holds import HeldForApproval


class HeldForApprovalMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, HeldForApproval):
            return None
        messages.info(request, exception.message)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = exception.ui_path
            return response
        return HttpResponseRedirect(exception.ui_path)
