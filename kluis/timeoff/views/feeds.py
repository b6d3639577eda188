"""The private calendar feed: a member's page to make, see once and revoke their feed URL,
and the feed itself (no session: the secret token in the URL is the credential)."""

from __future__ import annotations

import hashlib
import math

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kluis.access.actor import Actor
from kluis.access.confirm import confirm_first
from kluis.access.decorators import member_required
from kluis.access.forms import service_error_text
from kluis.api.throttling import ApiIpThrottle, rate_limit_headers
from kluis.tenancy.rls import narrow_to, unnarrowed
from kluis.timeoff import feeds


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


@member_required()
@require_http_methods(["GET", "POST"])
def my_feed(request: HttpRequest) -> HttpResponse:
    """Make (or replace), show once, and revoke one's own feed."""
    actor = _actor(request)
    if not feeds.may_have_feed(actor):
        raise PermissionDenied
    feed_url = ""
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "create":
                token = feeds.create_feed(actor)
                feed_url = request.build_absolute_uri(reverse("timeoff:feed", args=[token]))
            elif action == "revoke":
                page = confirm_first(
                    request,
                    title=_("Revoke your calendar feed?"),
                    message=_(
                        "Calendars subscribed to it stop updating at once. You can make a "
                        "new feed later."
                    ),
                    button=_("Revoke feed"),
                    cancel=reverse("timeoff:feeds"),
                )
                if page is not None:
                    return page
                if feeds.revoke_feed(actor):
                    messages.success(request, _("Your calendar feed was revoked."))
                return redirect("timeoff:feeds")
            else:
                return redirect("timeoff:feeds")
        except PermissionDenied as error:
            messages.error(request, service_error_text(error))
            return redirect("timeoff:feeds")
    response = render(
        request,
        "timeoff/feed/feed.html",
        {"feed": feeds.live_feed(actor), "feed_url": feed_url},
    )
    # The URL is a credential: never kept by a cache.
    response["Cache-Control"] = "private, no-store"
    return response


class _FeedTokenThrottle(ApiIpThrottle):
    """Per feed token, at the per-key rate of the API (calendar apps poll)."""

    scope = "timeoff_feed"
    setting = "API_RATE_PER_KEY"

    def get_ident_key(self, request: object) -> str | None:
        token = getattr(request, "feed_token", "")
        return hashlib.sha256(token.encode()).hexdigest()[:32] if token else None


def _too_many(request: HttpRequest) -> HttpResponse | None:
    for throttle in (ApiIpThrottle(), _FeedTokenThrottle()):
        if not throttle.allow_request(request, None):  # type: ignore[arg-type]
            response = HttpResponse(
                _("Too many requests; try again later."),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(max(1, math.ceil(throttle.wait() or 1)))
            return response
    return None


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The .ics: counted against the client IP's and the token's limits before the token
    is looked up; 404 for anything but a live feed of an active member (whatever the
    method: another method on a live feed is 405)."""
    request.feed_token = token  # type: ignore[attr-defined]
    if request.method not in ("GET", "HEAD"):
        with unnarrowed():
            if feeds.find(token) is None:
                raise Http404
        return HttpResponseNotAllowed(["GET", "HEAD"])
    response = _too_many(request)
    if response is None:
        # The token names the company: look it up across companies, then read as it.
        with unnarrowed():
            found = feeds.find(token)
            if found is None:
                raise Http404
            narrow_to(found.tenant_id)
            feeds.touch(found)
            body = feeds.ics_of(found)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'inline; filename="kluis-time-off.ics"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    for header, value in rate_limit_headers(request).items():  # type: ignore[arg-type]
        response[header] = value
    return response
