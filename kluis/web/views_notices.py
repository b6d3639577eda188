"""My inbox: what Kluis told me (newest first, unread marked), filtered by unread and by
kind, each opening the thing itself; marking one or all read (htmx swaps the item, or the
list, in place and the header's unread count out of band; without JavaScript the form
posts and comes back). And my choice, per kind, of how
I hear of it (the preferences page). Notices are written by the services
(kluis/company/notices.py); the kinds are registered by the apps (notices_kinds.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.company import notices
from kluis.company.models import Notice
from kluis.company.notices_kinds import all_kinds, is_kind
from kluis.company.notices_preferences import (
    digest_hour_of,
    hour_text,
    preferences_of,
    set_preferences,
)

PER_PAGE = 30


def _actor(request: HttpRequest) -> Actor:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    return actor


def _mine(actor: Actor) -> Any:
    return Notice.objects.for_actor(actor).filter(membership=actor.membership)


def safe_path(url: str) -> str:
    """A notice's link, only as a path inside Kluis (never another site)."""
    if url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return ""


def _filters(source: Any) -> tuple[str, str]:
    """(show, kind) from a query or form: "unread" or "all"; a registered kind or ""."""
    show = "unread" if source.get("show") == "unread" else "all"
    kind = str(source.get("kind") or "")
    return show, kind if is_kind(kind) else ""


def _back(show: str, kind: str) -> str:
    query = {k: v for k, v in (("show", show), ("kind", kind)) if v and v != "all"}
    return reverse("web:notices") + (f"?{urlencode(query)}" if query else "")


def _labels() -> dict[str, str]:
    return {kind.key: str(kind.label) for kind in all_kinds()}


def _list_context(actor: Actor, show: str, kind: str, page_number: Any) -> dict[str, Any]:
    """The inbox's list (web/notices_list.html) for these filters."""
    rows = _mine(actor)
    present = set(rows.values_list("topic", flat=True).distinct())
    if show == "unread":
        rows = rows.filter(read_at=None)
    if kind:
        rows = rows.filter(topic=kind)
    page = Paginator(rows.order_by("-created_at", "-pk"), PER_PAGE).get_page(page_number)
    labels = _labels()
    query = urlencode({k: v for k, v in (("show", show), ("kind", kind)) if v and v != "all"})
    return {
        "page": page,
        "notices": [(n, safe_path(n.url), labels.get(n.topic, "")) for n in page.object_list],
        "show": show,
        "kind": kind,
        "kinds": [(k.key, str(k.label)) for k in all_kinds() if k.key in present],
        "query": f"&{query}" if query else "",
        "filtered_unread": rows.filter(read_at=None).exists(),
    }


def _with_badge(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """An htmx answer that also replaces the header's unread count (out of band)."""
    badge = render_to_string(
        "web/includes/unread_badge.html",
        {"unread_notices": notices.unread(_actor(request)), "oob": True},
        request=request,
    )
    response.content = response.content + badge.encode(response.charset)
    response["HX-Trigger"] = "kluis:notice-read"
    return response


@member_required()
def notice_list(request: HttpRequest) -> HttpResponse:
    show, kind = _filters(request.GET)
    context = _list_context(_actor(request), show, kind, request.GET.get("page"))
    return render(request, "web/notices.html", context)


@require_POST
@member_required()
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notices read and go to its page (my inbox if it has none)."""
    actor = _actor(request)
    notice: Notice | None = _mine(actor).filter(pk=pk).first()
    if notice is None:
        raise Http404("Not found")
    notices.mark_read(actor, [notice.pk])
    return redirect(safe_path(notice.url) or "web:notices")


@require_POST
@member_required()
def notice_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notices read: the item again (htmx), or back to the inbox."""
    actor = _actor(request)
    notice: Notice | None = _mine(actor).filter(pk=pk).first()
    if notice is None:
        raise Http404("Not found")
    notices.mark_read(actor, [notice.pk])
    if request.headers.get("HX-Request"):
        notice.refresh_from_db()
        item = (notice, safe_path(notice.url), _labels().get(notice.topic, ""))
        return _with_badge(request, render(request, "web/notices_item.html", {"item": item}))
    show, kind = _filters(request.POST)
    return redirect(_back(show, kind))


@require_POST
@member_required()
def notices_read(request: HttpRequest) -> HttpResponse:
    """Mark all my notices read (all of one kind, when the inbox shows one kind)."""
    show, kind = _filters(request.POST)
    actor = _actor(request)
    count = notices.mark_read(actor, topic=kind)
    if request.headers.get("HX-Request"):
        context = {**_list_context(actor, show, kind, 1), "marked": bool(count)}
        return _with_badge(request, render(request, "web/notices_list.html", context))
    if count:
        messages.success(request, _("Marked as read."))
    return redirect(_back(show, kind))


@member_required()
def notice_preferences(request: HttpRequest) -> HttpResponse:
    """How I hear of each kind: in the app only, or also by e-mail (at once, or daily), and
    the hour of my daily e-mail."""
    actor = _actor(request)
    errors: list[str] = []
    hour = digest_hour_of(actor)
    if request.method == "POST":
        choices = {
            kind.key: str(request.POST[kind.key])
            for kind in all_kinds()
            if not kind.email_always and kind.key in request.POST
        }
        raw_hour = request.POST.get("digest_hour")
        chosen_hour = None
        if raw_hour is not None:
            chosen_hour = int(raw_hour) if raw_hour.isdigit() and len(raw_hour) <= 2 else -1
        try:
            changed = set_preferences(actor, choices, digest_hour=chosen_hour)
        except ValidationError as refused:
            errors = list(refused.messages)
        else:
            if changed:
                messages.success(request, _("Your choices are saved."))
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("web:notice_preferences")
    groups: dict[str, list[Any]] = {}
    for preference in preferences_of(actor):
        groups.setdefault(str(preference.kind.group or _("Other")), []).append(preference)
    return render(
        request,
        "web/notices_preferences.html",
        {
            "groups": list(groups.items()),
            "errors": errors,
            "digest_hour": hour,
            "digest_hours": [(h, hour_text(h)) for h in range(24)],
            "time_zone": settings.TIME_ZONE,
        },
        status=400 if errors else 200,
    )
