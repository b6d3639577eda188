"""kluis.api is the one API pipeline and knows no domain app: apps register their
resources with it (kluis/api/registry.py), it never imports them. Read from the source
(every import statement, also those inside functions), so a lazy import counts too; one
under `if TYPE_CHECKING:` does not (tests/import_graph.py)."""

from __future__ import annotations

from pathlib import Path

import kluis
from tests import import_graph

KLUIS = Path(kluis.__file__).resolve().parent
# What the pipeline may build on: the infrastructure below every app.
API_MAY_IMPORT = {"api", "access", "operations", "tenancy"}


def imported_apps(package: Path) -> dict[str, set[str]]:
    """{kluis app imported: {file importing it}} for every module under `package`."""
    return import_graph.imported_apps(package, KLUIS)


def test_the_api_package_imports_no_domain_app() -> None:
    imported = imported_apps(KLUIS / "api")
    beyond = {app: sorted(files) for app, files in imported.items() if app not in API_MAY_IMPORT}
    assert beyond == {}, f"kluis/api imports apps it must not know: {beyond}"


def test_the_check_reads_lazy_imports_too(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from kluis.people import services\n")
    assert imported_apps(tmp_path) == {"people": {"lazy.py"}}


def test_every_resource_is_registered_by_the_app_that_owns_it() -> None:
    import kluis.api.urls  # noqa: F401  (discovers and imports the apps' api packages)
    from kluis.api.registry import resources

    registered = resources()
    assert {r.prefix for r in registered} >= {
        "employees",
        "employments",
        "wages",
        "wage-components",
        "teams",
        "departments",
        "custom-fields",
        "roles",
        "memberships",
        "audit-events",
    }
    for resource in registered:
        owner = resource.viewset.__module__.split(".")[1]
        assert owner != "api", f"/api/v1/{resource.prefix}/ is declared inside kluis.api"


def test_every_route_is_registered_by_the_app_that_owns_it() -> None:
    """Paths beside the resources' (actions on an object, lists under one) too."""
    import kluis.api.urls  # noqa: F401
    from kluis.api.registry import routes

    assert {r.route for r in routes()} >= {"webhooks/", "webhook-event-types/"}
    for route in routes():
        owner = route.viewset.__module__.split(".")[1]
        assert owner != "api", f"/api/v1/{route.route} is declared inside kluis.api"
