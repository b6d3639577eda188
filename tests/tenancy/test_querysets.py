"""Every company-owned model reads through one restricting queryset
(kluis/tenancy/querysets.py): `for_actor` gives the actor's company's rows only, and
`access_by_id` the same "not found" for a missing id, another company's and a bad one."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest
from django.apps import apps
from django.http import Http404

import kluis
from kluis.access.actor import Actor
from kluis.people.models import Team
from kluis.tenancy.models import Tenant
from kluis.tenancy.querysets import TenantQuerySet

KLUIS = Path(kluis.__file__).resolve().parent


def company_models() -> list[type]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("kluis.")
        and any(field.name == "tenant" for field in model._meta.concrete_fields)
    ]


def test_every_company_owned_model_reads_through_the_restricting_queryset() -> None:
    models = company_models()
    assert len(models) > 15
    plain = [
        model.__name__
        for model in models
        if not isinstance(model._default_manager.all(), TenantQuerySet)
    ]
    assert plain == [], f"company-owned models without for_actor(): {plain}"


def test_no_api_get_queryset_narrows_to_the_company_by_hand() -> None:
    """The API's querysets start from `for_actor` (or a selector built on it), so the
    company is never a filter someone may forget to write."""
    by_hand = []
    for source in KLUIS.glob("*/api/*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "get_queryset":
                text = ast.unparse(node)
                if "tenant=" in text or "tenant_id=" in text:
                    by_hand.append(f"{source.relative_to(KLUIS)}:{node.lineno}")
    assert by_hand == []


@pytest.mark.django_db
def test_for_actor_gives_the_actors_company_only(demo: dict[str, Tenant]) -> None:
    for slug, tenant in demo.items():
        actor = Actor.system("test", tenant)
        teams = Team.objects.for_actor(actor)
        assert set(teams.values_list("tenant_id", flat=True)) == {tenant.pk}, slug
    assert not Team.objects.for_actor(Actor.system("no company")).exists()


@pytest.mark.django_db
def test_access_by_id_gives_one_not_found_for_missing_foreign_and_bad_ids(
    demo: dict[str, Tenant],
) -> None:
    ours, theirs = demo["demo-bv"], demo["other-nv"]
    actor = Actor.system("test", ours)
    own = Team.objects.filter(tenant=ours).first()
    foreign = Team.objects.filter(tenant=theirs).first()
    assert own is not None and foreign is not None
    assert Team.objects.access_by_id(actor, own.pk) == own
    assert Team.objects.access_by_id(actor, str(own.pk)) == own
    for pk in (foreign.pk, 987654321, "x", None, 10**30):
        with pytest.raises(Http404) as raised:
            Team.objects.access_by_id(actor, pk, not_found="No such team")
        assert str(raised.value) == "No such team"


def test_the_restricting_queryset_is_infrastructure() -> None:
    """tenancy/querysets.py imports no app: every app's models may use it."""
    source = inspect.getsource(__import__("kluis.tenancy.querysets", fromlist=["x"]))
    imports = [
        line for line in source.splitlines() if line.startswith(("from kluis", "import kluis"))
    ]
    assert imports == []
