"""`/api/v1/`: the public REST API (see docs/api.md). Paths with object ids use <int:...>
so the tenant isolation walks find them."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from kluis.people.api.employees import EmployeeViewSet

app_name = "api"


class SwaggerView(SpectacularSwaggerSplitView):
    """Swagger UI from drf-spectacular-sidecar, its start-up script served as a file (no
    inline script), so it runs under the site's CSP unchanged."""

    template_name = "integrations/swagger_ui.html"


urlpatterns = [
    path(
        "v1/employees/",
        EmployeeViewSet.as_view({"get": "list", "post": "create"}),
        name="employees",
    ),
    path(
        "v1/employees/<int:pk>/",
        EmployeeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="employee",
    ),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
]
