"""Destructive actions ask first: a POST without `confirmed=1` gets a page that says what
will happen, with Cancel (a link back) and the action's own button, which posts the same
fields again with `confirmed=1`. Plain HTML: works without JavaScript; nothing is kept
between the two requests.

    if (page := confirm_first(request, title=..., message=..., button=..., cancel=url)):
        return page
    ... do it ...
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

CONFIRMED = "confirmed"
NOT_CARRIED = {"csrfmiddlewaretoken", CONFIRMED}


def confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get(CONFIRMED) == "1"


def confirm_first(
    request: HttpRequest,
    *,
    title: str,
    message: str,
    button: str,
    cancel: str,
) -> HttpResponse | None:
    """None when the request was confirmed (go ahead); otherwise the page asking."""
    if confirmed(request):
        return None
    carried = [
        (key, value)
        for key in request.POST
        if key not in NOT_CARRIED
        for value in request.POST.getlist(key)
    ]
    return render(
        request,
        "web/confirm.html",
        {
            "title": title,
            "message": message,
            "button": button,
            "cancel": cancel,
            "action": request.get_full_path(),
            "carried": carried,
        },
    )
