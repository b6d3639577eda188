"""`enabled()`: the one check templates, views, services and the API make.

Cost: django-flags reads every flag's rules in one query and keeps them on the request
(`request.flag_conditions`); the subject's roles are read once per request, and only when
a role rule exists. So a page checking five flags runs at most two queries for all of them.
Without a request, each call reads the rules afresh (one query). Nothing is kept in process
memory across requests: a change is seen by every node on its next request.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django.conf import settings
from flags.state import flag_state

from kluis.flags.conditions import Subject
from kluis.flags.registry import UnknownFlag, is_declared

if TYPE_CHECKING:
    from django.http import HttpRequest

    from kluis.access.actor import Actor
    from kluis.tenancy.models import Membership, Tenant

logger = logging.getLogger(__name__)

_SUBJECTS = "_kluis_flag_subjects"


def _id(obj: Any) -> int | None:
    if obj is None:
        return None
    return obj if isinstance(obj, int) else obj.pk


def _from_request(request: Any) -> tuple[int | None, int | None, int | None]:
    """(company, user, membership) of a web request or of an API request (its principal)."""
    principal = getattr(request, "user", None)
    actor = getattr(principal, "actor", None)
    if actor is not None:
        return _from_actor(actor)
    membership = getattr(request, "membership", None)
    tenant = getattr(request, "tenant", None)
    user_id = principal.pk if principal is not None and principal.is_authenticated else None
    return _id(tenant), user_id, _id(membership)


def _from_actor(actor: Actor) -> tuple[int | None, int | None, int | None]:
    return _id(actor.tenant), actor.user_id, _id(actor.membership)


def subject_for(
    *,
    tenant: Tenant | int | None = None,
    user: Any = None,
    membership: Membership | None = None,
    actor: Actor | None = None,
    request: HttpRequest | Any = None,
) -> Subject:
    """Who the flag is for; explicit arguments win over what the request or actor say."""
    tenant_id = user_id = membership_id = None
    if request is not None:
        tenant_id, user_id, membership_id = _from_request(request)
    if actor is not None:
        tenant_id, user_id, membership_id = _from_actor(actor)
    if membership is not None:
        tenant_id, user_id, membership_id = membership.tenant_id, membership.user_id, membership.pk
    if tenant is not None:
        tenant_id = _id(tenant)
    if user is not None:
        user_id = _id(user)
    key = (tenant_id, user_id, membership_id)
    cache: dict[tuple[int | None, ...], Subject] | None = None
    if request is not None:
        cache = getattr(request, _SUBJECTS, None)
        if cache is None:
            cache = {}
            setattr(request, _SUBJECTS, cache)
        if key in cache:
            return cache[key]
    subject = Subject(tenant_id=tenant_id, user_id=user_id, membership_id=membership_id)
    if cache is not None:
        cache[key] = subject
    return subject


def enabled(
    name: str,
    *,
    tenant: Tenant | int | None = None,
    user: Any = None,
    membership: Membership | None = None,
    actor: Actor | None = None,
    request: HttpRequest | Any = None,
) -> bool:
    """Is flag `name` on for this company, user or member (or the request's)?

    An undeclared name raises UnknownFlag in development and tests; in production it is
    logged and the flag is off."""
    if not is_declared(name):
        if not settings.PRODUCTION:
            raise UnknownFlag(name)
        logger.error("unknown feature flag checked: %s", name)
        return False
    subject = subject_for(
        tenant=tenant, user=user, membership=membership, actor=actor, request=request
    )
    return bool(flag_state(name, request=request, subject=subject, flag=name))
