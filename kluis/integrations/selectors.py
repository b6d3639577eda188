"""Reads of a company's API clients and keys."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kluis.access.actor import Actor
from kluis.integrations.models import ApiKey


def api_keys_for(actor: Actor) -> QuerySet[ApiKey]:
    if actor.tenant is None:
        return ApiKey.objects.none()
    return ApiKey.objects.filter(tenant=actor.tenant).select_related("client", "client__tenant")


def api_key_for(actor: Actor, pk: int) -> ApiKey:
    """One key of the actor's company; another company's id gives the same 404 as none."""
    key = api_keys_for(actor).filter(pk=pk).first()
    if key is None:
        raise Http404("No such API key")
    return key
