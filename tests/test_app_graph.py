"""Kluis's apps form layers, never a loop (issue 12; docs/architecture.md, "Layers").

An app imports only apps in the layers below it or its own layer, through their services,
selectors and registries; what sits lower learns of what sits higher by registration
(kluis.api.registry, kluis.access.visibility, kluis.company.demo), never by an import.
Imports are read from the source (tests/import_graph.py): lazy ones count,
`if TYPE_CHECKING:` ones do not."""

from __future__ import annotations

from pathlib import Path

import pytest

import kluis
from tests.import_graph import app_graph, describe, find_cycle

KLUIS = Path(kluis.__file__).resolve().parent

# Bottom to top: each app may import the apps listed before it (and those in its own row).
LAYERS: list[set[str]] = [
    # plumbing: request ids, client IP, SQL helpers, health, serving; the date formats
    {"operations", "formats"},
    {"tenancy"},  # companies and memberships, the restricting queryset, row-level security
    {"access"},  # who acts, roles, permissions, authorize(), the visibility policy, view guard
    {"api"},  # the one REST pipeline and its resource registry
    {"audit"},  # the hash-chained logs (companies', operators'), viewer and API resource
    {"flags"},  # feature flags: one function every app above checks
    {"crypto"},  # envelope encryption (audits key use)
    {"identity"},  # accounts and sign-in protection (API secrets are counted by it too)
    {"approvals"},  # the two-person rule: held requests; actions registered by the apps above
    {"integrations"},  # the outbox (events.emit), API clients, keys, OAuth
    {"company"},  # members and roles pages, resources and services; new companies; demo
    {"people"},  # the domain app: the HR file
    {"timeoff"},  # leave, absence, balances, the calendar (uses people's services)
    {"offboarding"},  # leaving: access revoked under four eyes at the effective moment
    {"checklists"},  # joining and leaving: checklists (an offboarding starts its checklist)
    # operations around the domain: backups, the status page, release notes, sandboxes
    {"backups", "status", "releases", "sandbox"},
    {"reports"},  # reports for HR and managers (people's and timeoff's figures)
    {"web"},  # the shell: navigation, dashboard
]


def layer_of(app: str) -> int:
    for number, layer in enumerate(LAYERS):
        if app in layer:
            return number
    raise AssertionError(f"kluis/{app}/ is in no layer: add it to LAYERS and the docs")


def test_the_app_graph_has_no_cycle() -> None:
    graph = app_graph(KLUIS)
    cycle = find_cycle(graph)
    assert cycle is None, "the apps import each other in a loop:\n" + describe(cycle, graph)


def test_every_app_imports_only_its_own_layer_and_those_below() -> None:
    graph = app_graph(KLUIS)
    upward = [
        f"{app} -> {other}: {', '.join(sorted(where))}"
        for app, imported in sorted(graph.items())
        for other, where in sorted(imported.items())
        if layer_of(other) > layer_of(app)
    ]
    assert upward == [], "imports reaching up a layer:\n" + "\n".join(upward)


def _plant(root: Path, files: dict[str, str]) -> Path:
    """A package named kluis under `root` with the given modules (and __init__ files)."""
    package = root / "kluis"
    for name, text in files.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in [path.parent, *path.parent.parents]:
            if parent == root:
                break
            (parent / "__init__.py").touch()
        path.write_text(text)
    return package


def test_the_check_finds_a_planted_cycle_and_names_the_imports(tmp_path: Path) -> None:
    package = _plant(
        tmp_path,
        {
            "low/models.py": "X = 1\n",
            "low/services.py": "def f():\n    from kluis.high.views import page\n",
            "high/views.py": "from kluis.low.models import X\n\ndef page(): ...\n",
            "third/api.py": "from kluis import low\n",
        },
    )
    graph = app_graph(package)
    assert graph == {
        "high": {"low": {"high/views.py:1"}},
        "low": {"high": {"low/services.py:2"}},
        "third": {"low": {"third/api.py:1"}},
    }
    cycle = find_cycle(graph)
    assert cycle == ["high", "low", "high"]
    assert describe(cycle, graph) == (
        "high -> low -> high\n  high -> low: high/views.py:1\n  low -> high: low/services.py:2"
    )


@pytest.mark.parametrize(
    "source",
    [
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from kluis.high import views\n",
        "import typing\nif typing.TYPE_CHECKING:\n    import kluis.high.views\n",
    ],
    ids=["TYPE_CHECKING", "typing.TYPE_CHECKING"],
)
def test_imports_for_annotations_only_make_no_edge(tmp_path: Path, source: str) -> None:
    package = _plant(tmp_path, {"low/models.py": source, "high/views.py": ""})
    assert app_graph(package) == {"high": {}, "low": {}}
    assert find_cycle(app_graph(package)) is None


def test_relative_imports_reaching_another_app_count(tmp_path: Path) -> None:
    package = _plant(
        tmp_path,
        {"low/models.py": "from ..high import views\n", "high/views.py": "from . import x\n"},
    )
    assert app_graph(package) == {"high": {}, "low": {"high": {"low/models.py:1"}}}
