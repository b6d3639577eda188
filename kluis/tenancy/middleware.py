"""Resolve the company a signed-in person is working in, from their active membership."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from kluis.operations.mailing import on_behalf_of
from kluis.tenancy.rls import narrow_to, widen
from kluis.tenancy.selectors import memberships_of_user

SESSION_KEY = "kluis_tenant_id"


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        request.memberships = []  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = list(memberships_of_user(request.user.pk).select_related("user"))
            request.memberships = memberships  # type: ignore[attr-defined]
            chosen = request.session.get(SESSION_KEY)
            current = next((m for m in memberships if m.tenant_id == chosen), None)
            if current is None and memberships:
                current = memberships[0]
                request.session[SESSION_KEY] = current.tenant_id
            if current is not None:
                request.membership = current  # type: ignore[attr-defined]
                request.tenant = current.tenant  # type: ignore[attr-defined]
        if request.tenant is None:  # type: ignore[attr-defined]
            return self.get_response(request)
        # From here on the database itself only shows this company's rows (PostgreSQL).
        narrow_to(request.tenant.pk)  # type: ignore[attr-defined]
        try:
            with on_behalf_of(request.tenant.pk):  # type: ignore[attr-defined]
                return self.get_response(request)
        finally:
            widen()
