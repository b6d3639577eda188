"""View guards: signed in, working for a company, and (optionally) holding a permission
(the web pages' side of `authorize()`; every app's views use it, so it lives below them)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.shortcuts import render

from kluis.access.actor import Actor
from kluis.access.authorization import can

View = Callable[..., HttpResponseBase]


def member_required(permission: str | None = None) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "membership", None) is None:
                return render(request, "web/no_company.html", status=403)
            actor = getattr(request, "actor", None) or Actor.for_request(request)
            request.actor = actor  # type: ignore[attr-defined]
            if permission is not None and not can(actor, permission):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
