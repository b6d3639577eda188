"""/.well-known/security.txt (RFC 9116), the responsible-disclosure page, and the deploy
check that warns before security.txt expires."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

WARN_DAYS = 30


def expires() -> dt.datetime:
    """KLUIS_SECURITY_EXPIRES (end of that day, UTC), or KLUIS_SECURITY_EXPIRES_DAYS from
    today."""
    day = settings.SECURITY_EXPIRES or (
        timezone.now().date() + dt.timedelta(days=settings.SECURITY_EXPIRES_DAYS)
    )
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=dt.UTC)


def public_host() -> str:
    if settings.PUBLIC_URL:
        return urlsplit(settings.PUBLIC_URL).hostname or "localhost"
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    return hosts[0] if hosts else "localhost"


def contacts() -> list[str]:
    return list(settings.SECURITY_CONTACT) or [f"mailto:security@{public_host()}"]


def policy_url(request: HttpRequest) -> str:
    if settings.SECURITY_POLICY_URL:
        return str(settings.SECURITY_POLICY_URL)
    path = reverse("status:disclosure")
    return settings.PUBLIC_URL + path if settings.PUBLIC_URL else request.build_absolute_uri(path)


def text(request: HttpRequest) -> str:
    lines = [f"Contact: {contact}" for contact in contacts()]
    lines.append("Expires: " + expires().strftime("%Y-%m-%dT%H:%M:%SZ"))
    if settings.SECURITY_ACKNOWLEDGMENTS:
        lines.append(f"Acknowledgments: {settings.SECURITY_ACKNOWLEDGMENTS}")
    lines.append("Preferred-Languages: " + ", ".join(settings.SECURITY_LANGUAGES))
    if settings.PUBLIC_URL:
        lines.append(f"Canonical: {settings.PUBLIC_URL}/.well-known/security.txt")
    lines.append(f"Policy: {policy_url(request)}")
    return "\n".join(lines) + "\n"


@require_safe
def security_txt(request: HttpRequest) -> HttpResponse:
    return HttpResponse(text(request), content_type="text/plain; charset=utf-8")


@require_safe
def disclosure(request: HttpRequest) -> HttpResponse:
    extra = [p.strip() for p in settings.SECURITY_DISCLOSURE_TEXT.split("\n\n") if p.strip()]
    shown = [
        {"uri": c, "label": c.removeprefix("mailto:"), "mail": c.startswith("mailto:")}
        for c in contacts()
    ]
    context: dict[str, Any] = {
        "title": settings.STATUS_TITLE,
        "contacts": shown,
        "extra_paragraphs": extra,
        "expires": expires(),
    }
    return render(request, "status/disclosure.html", context)


@checks.register(checks.Tags.security, deploy=True)
def check_security_txt(**kwargs: Any) -> list[checks.CheckMessage]:
    left = expires() - timezone.now()
    if left.total_seconds() <= 0:
        return [
            checks.Warning(
                "security.txt has expired (KLUIS_SECURITY_EXPIRES is in the past).",
                hint="Set KLUIS_SECURITY_EXPIRES to a date within the next year.",
                id="kluis.status.W001",
            )
        ]
    if left < dt.timedelta(days=WARN_DAYS):
        return [
            checks.Warning(
                f"security.txt expires in {left.days} days (KLUIS_SECURITY_EXPIRES).",
                hint="Set KLUIS_SECURITY_EXPIRES to a later date (at most a year ahead).",
                id="kluis.status.W002",
            )
        ]
    return []
