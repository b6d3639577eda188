"""Reads of a company's API clients and keys."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from kluis.access.actor import Actor
from kluis.integrations.models import ApiClient, ApiKey


def api_keys_for(actor: Actor) -> QuerySet[ApiKey]:
    return ApiKey.objects.for_actor(actor).select_related("client", "client__tenant")


def api_key_for(actor: Actor, pk: int) -> ApiKey:
    """One key of the actor's company; another company's id gives the same 404 as none."""
    key = api_keys_for(actor).filter(pk=pk).first()
    if key is None:
        raise Http404("No such API key")
    return key


def basic_clients_for(actor: Actor) -> QuerySet[ApiClient]:
    """The company's clients that authenticate with HTTP Basic (id + secret)."""
    return ApiClient.objects.for_actor(actor).filter(client_id__isnull=False)


def basic_client_for(actor: Actor, pk: int) -> ApiClient:
    client = basic_clients_for(actor).filter(pk=pk).first()
    if client is None:
        raise Http404("No such API client")
    return client
