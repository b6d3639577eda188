"""Guards for views and API endpoints behind a flag: while it is off they do not exist (404)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from rest_framework.exceptions import NotFound
from rest_framework.permissions import BasePermission

from kluis.flags.evaluation import enabled
from kluis.flags.registry import get

View = Callable[..., HttpResponseBase]


def flag_required(name: str) -> Callable[[View], View]:
    """A view decorator: 404 unless flag `name` is on for the request's company and user.
    Put it inside `member_required` (so the company is known when it runs)."""
    get(name)  # an undeclared name fails at import, not at the first request

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not enabled(name, request=request):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def flag_permission(name: str) -> type[BasePermission]:
    """A DRF permission class: the endpoint answers 404 unless flag `name` is on for the
    calling company (and user, for a token of a person)."""
    get(name)

    class FlagEnabled(BasePermission):
        def has_permission(self, request: Any, view: Any) -> bool:
            if not enabled(name, request=request):
                raise NotFound
            return True

    FlagEnabled.__name__ = FlagEnabled.__qualname__ = f"FlagEnabled_{name}"
    return FlagEnabled
