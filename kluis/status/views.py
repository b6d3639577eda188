"""The public status page, its JSON and Atom feed, and e-mail subscription. No sign-in;
nothing about companies, versions or internals. When the database is unreachable the page
and its JSON come from the last-known state on disk (kluis/status/middleware.py)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kluis.operations.client_ip import client_ip
from kluis.status import page, subscriptions


def _render(
    request: HttpRequest, data: dict[str, Any], status: int = 200, **extra: Any
) -> HttpResponse:
    context = {**page.context(data), "title": settings.STATUS_TITLE, **extra}
    response = render(request, "status/page.html", context, status=status)
    return response


def _message(request: HttpRequest, heading: str, text: str, status: int = 200) -> HttpResponse:
    context = {"title": settings.STATUS_TITLE, "heading": heading, "text": text}
    return render(request, "status/message.html", context, status=status)


def render_offline(request: HttpRequest) -> HttpResponse:
    return _render(request, page.offline())


def json_offline() -> JsonResponse:
    return _json(page.offline())


def _json(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(page.as_json(data))
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def status_page(request: HttpRequest) -> HttpResponse:
    try:
        data = page.live()
    except DatabaseError:
        data = page.offline()
    return _render(request, data)


@require_safe
def status_json(request: HttpRequest) -> JsonResponse:
    try:
        data = page.live()
    except DatabaseError:
        data = page.offline()
    return _json(data)


def _throttled(request: HttpRequest) -> bool:
    key = f"kluis.status.subscribe:{client_ip(request.META) or '-'}"
    cache.add(key, 0, 3600)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)
        count = 1
    return bool(count > settings.STATUS_SUBSCRIBE_LIMIT)


@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    if _throttled(request):
        return _message(
            request,
            _("Too many requests"),
            _("Too many subscription requests came from your network. Try again later."),
            status=429,
        )
    email = str(request.POST.get("email", ""))
    try:
        subscriptions.request_subscription(
            email, get_language() or "", request.build_absolute_uri("/")
        )
    except ValidationError:
        error = _("Enter a valid email address.")
        return _render(request, page.live(), 400, subscribe_error=error, email=email[:254])
    # The same answer whether or not the address was subscribed already.
    return _message(
        request,
        _("Check your mail"),
        _(
            "If the address can receive mail, a message with a confirmation link is on its "
            "way. Nothing is sent about incidents until the link is used."
        ),
    )


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a mail scanner following the link confirms nothing); POST confirms."""
    found = subscriptions.subscriber_for(
        token, subscriptions.CONFIRM_SALT, subscriptions.CONFIRM_MAX_AGE
    )
    if found is None:
        return _message(
            request,
            _("This link does not work"),
            _(
                "It is older than 7 days, or the subscription was cancelled. Subscribe "
                "again on the status page."
            ),
            status=400,
        )
    if request.method == "POST":
        subscriptions.confirm(token)
        return _message(
            request,
            _("Subscribed"),
            _(
                "You will get a mail when an incident or maintenance is posted or updated. "
                "Every mail has a link to stop them."
            ),
        )
    context = {"action": "confirm", "title": settings.STATUS_TITLE}
    return render(request, "status/confirm.html", context)


@csrf_exempt  # one-click unsubscribe (RFC 8058): the signed token is the authority
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks; POST (also a mail client's one-click POST) unsubscribes. A link of an
    address unsubscribed already says the same as a fresh one."""
    found = subscriptions.subscriber_for(token, subscriptions.UNSUBSCRIBE_SALT)
    if found is not None and request.method == "GET":
        context = {"action": "unsubscribe", "title": settings.STATUS_TITLE}
        return render(request, "status/confirm.html", context)
    if found is not None:
        subscriptions.unsubscribe(token)
    return _message(
        request, _("Unsubscribed"), _("This address gets no mail from the status page.")
    )
