"""`/api/v1/`: the public REST API (see docs/api.md), made from the resources the apps
registered (kluis/api/registry.py). Paths with object ids use <id:...> (paths.py: any
segment reaches the view, which answers 400 for one that is not a whole number), so the
tenant isolation walks find them."""

from __future__ import annotations

from django.urls import URLPattern, path
from django.utils.module_loading import autodiscover_modules
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import kluis.api.paths  # noqa: F401  (registers the <id:...> converter)
from kluis.api.registry import resources, routes

app_name = "api"

# Every installed app's `api` package registers its resources when imported.
autodiscover_modules("api")


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar, its start-up script served as a file (no
    inline script), so it runs under the site's CSP unchanged."""

    template_name = "integrations/swagger_ui.html"


def resource_patterns() -> list[URLPattern]:
    # (Copies of the method maps: DRF's as_view adds "head" to the mapping it is given.)
    patterns = []
    for resource in resources():
        patterns.append(
            path(
                f"v1/{resource.prefix}/",
                resource.viewset.as_view(dict(resource.collection)),
                name=resource.name,
            )
        )
        if resource.item:
            patterns.append(
                path(
                    f"v1/{resource.prefix}/<id:{resource.lookup}>/",
                    resource.viewset.as_view(dict(resource.item)),
                    name=resource.item_name,
                )
            )
    for route in routes():
        patterns.append(
            path(f"v1/{route.route}", route.viewset.as_view(dict(route.actions)), name=route.name)
        )
    return patterns


urlpatterns = [
    *resource_patterns(),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
]
