"""Platform operators: the people who run this Kluis installation (status incidents,
feature flags, restores). An operator is an active user with `is_staff`; no company is
needed, and being an operator gives no access to any company's data.

Their pages live under /operator/; apps add theirs to the operator menu from their
AppConfig.ready with `register_page`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from kluis.access.actor import Actor

View = Callable[..., HttpResponseBase]


def is_operator(user: Any) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
    )


def operator_required(view: View) -> View:
    """Anonymous: to the sign-in page. Signed in but not an operator: 404, as if the
    page did not exist. An operator without a second factor is asked to set one up first
    where `KLUIS_OPERATOR_MFA_REQUIRED` holds (on in production)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_operator(request.user):
            raise Http404
        if (
            settings.OPERATOR_MFA_REQUIRED
            and not Authenticator.objects.filter(user_id=request.user.pk).exists()
        ):
            return render(request, "operations/operator_mfa.html", status=403)
        request.actor = operator_actor(request)  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapped


def operator_actor(request: HttpRequest) -> Actor:
    """The operator as the actor of what they do: no company, whatever company their
    session has open."""
    actor = Actor.for_request(request)
    actor.tenant = None
    actor.membership = None
    actor.label = f"operator {actor.label}"
    return actor


@dataclass(frozen=True)
class OperatorPage:
    label: Callable[[], str]  # a lazy translation
    url_name: str


_PAGES: list[OperatorPage] = []


def register_page(label: Any, url_name: str) -> None:
    """Add a page to the operator menu (call from AppConfig.ready; `label` a gettext_lazy)."""
    if all(page.url_name != url_name for page in _PAGES):
        _PAGES.append(OperatorPage(lambda: str(label), url_name))


def operator_context(request: HttpRequest) -> dict[str, Any]:
    """Template context: `is_operator`, and for operators the `operator_menu`."""
    if not is_operator(getattr(request, "user", None)):
        return {"is_operator": False}
    return {"is_operator": True, "operator_menu": menu(request)}


def menu(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for page in _PAGES:
        try:
            url = reverse(page.url_name)
        except NoReverseMatch:
            continue
        items.append({"label": page.label(), "url": url, "active": request.path.startswith(url)})
    return items
