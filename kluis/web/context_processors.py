"""The header's navigation for the signed-in person: the groups of kluis.web.navigation with
only the items their grants reach, the current page (and its group) marked; for a platform
operator also the operator pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kluis.access.actor import Actor
from kluis.access.authorization import grants_of
from kluis.access.operators import is_operator
from kluis.access.operators import menu as operator_menu
from kluis.access.permissions import SCOPE_RANK, Scope
from kluis.tenancy.models import Tenant
from kluis.web.navigation import NAVIGATION, USER_MENU, NavItem


def _shown(item: NavItem, grants: dict[str, str], tenant: Tenant) -> bool:
    if item.permission is not None:
        scope = grants.get(item.permission)
        if scope is None or SCOPE_RANK[Scope(scope)] < SCOPE_RANK[item.min_scope]:
            return False
    return item.available is None or item.available(tenant)


def _entry(label: Any, url: str, badge: int = 0) -> dict[str, Any]:
    return {"label": label, "url": url, "active": False, "badge": badge}


def _mark_current(path: str, groups: list[dict[str, Any]], user_menu: list[dict[str, Any]]) -> None:
    """The entry whose URL is the longest prefix of this page is the current one; its
    group is marked too."""
    best: tuple[int, dict[str, Any], dict[str, Any] | None] | None = None
    candidates: list[tuple[dict[str, Any], dict[str, Any] | None]] = [
        (item, group) for group in groups for item in group["items"]
    ]
    candidates += [(item, None) for item in user_menu]
    for item, group in candidates:
        url = str(item["url"])
        matches = path == url or (url != "/" and url.endswith("/") and path.startswith(url))
        if matches and (best is None or len(url) > best[0]):
            best = (len(url), item, group)
    if best is not None:
        best[1]["active"] = True
        if best[2] is not None:
            best[2]["active"] = True


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_groups": [], "user_menu": []}
    groups: list[dict[str, Any]] = []
    membership = getattr(request, "membership", None)
    if membership is not None:
        actor = getattr(request, "actor", None) or Actor.for_request(request)
        request.actor = actor  # type: ignore[attr-defined]
        grants = grants_of(actor)
        for group in NAVIGATION:
            items = [
                _entry(
                    item.label,
                    reverse(item.url_name),
                    item.badge(actor) if item.badge is not None else 0,
                )
                for item in group.items
                if _shown(item, grants, membership.tenant)
            ]
            if items:
                groups.append({"key": group.key, "label": group.label, "items": items})
    if is_operator(user):
        items = [_entry(_("Operator home"), reverse("operator-home"))]
        items += [_entry(page["label"], page["url"]) for page in operator_menu(request)]
        groups.append({"key": "operator", "label": _("Operator"), "items": items})
    user_menu = [_entry(item.label, reverse(item.url_name)) for item in USER_MENU]
    _mark_current(request.path, groups, user_menu)
    return {"nav_groups": groups, "user_menu": user_menu, "current_membership": membership}
