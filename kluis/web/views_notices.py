"""My notices: what the app told me (newest first, unread marked), each opening its page;
marking them read. Notices are written by the services (kluis/company/notices.py)."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kluis.access.actor import Actor
from kluis.access.decorators import member_required
from kluis.company import notices
from kluis.company.models import Notice

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


@member_required()
def notice_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    page = Paginator(_mine(actor).order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/notices.html",
        {"page": page, "notices": [(n, safe_path(n.url)) for n in page.object_list]},
    )


@require_POST
@member_required()
def notice_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark one of my notices read and go to its page (my notices if it has none)."""
    actor = _actor(request)
    notice: Notice | None = _mine(actor).filter(pk=pk).first()
    if notice is None:
        raise Http404("Not found")
    notices.mark_read(actor, [notice.pk])
    return redirect(safe_path(notice.url) or "web:notices")


@require_POST
@member_required()
def notices_read(request: HttpRequest) -> HttpResponse:
    notices.mark_read(_actor(request))
    return redirect("web:notices")
