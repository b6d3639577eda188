"""`/api/v1/`: the public REST API (see docs/api.md). Paths with object ids use <id:...>
(rest/paths.py: any segment reaches the view, which answers 400 for one that is not a
whole number), so the tenant isolation walks find them."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

import kluis.integrations.rest.paths  # noqa: F401  (registers the <id:...> converter)
from kluis.access.api.roles import RoleViewSet
from kluis.audit.api.events import AuditEventViewSet
from kluis.people.api.custom_fields import CustomFieldViewSet
from kluis.people.api.departments import DepartmentViewSet
from kluis.people.api.employees import EmployeeViewSet
from kluis.people.api.employments import EmploymentViewSet
from kluis.people.api.teams import TeamViewSet
from kluis.people.api.wage_components import WageComponentViewSet
from kluis.people.api.wages import WageViewSet
from kluis.tenancy.api.memberships import MembershipViewSet

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
        "v1/employees/<id:pk>/",
        EmployeeViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="employee",
    ),
    path(
        "v1/departments/",
        DepartmentViewSet.as_view({"get": "list", "post": "create"}),
        name="departments",
    ),
    path(
        "v1/departments/<id:department_pk>/",
        DepartmentViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
        ),
        name="department",
    ),
    path(
        "v1/employments/",
        EmploymentViewSet.as_view({"get": "list", "post": "create"}),
        name="employments",
    ),
    path(
        "v1/employments/<id:employment_pk>/",
        EmploymentViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="employment",
    ),
    path("v1/teams/", TeamViewSet.as_view({"get": "list", "post": "create"}), name="teams"),
    path(
        "v1/teams/<id:team_pk>/",
        TeamViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
        ),
        name="team",
    ),
    path("v1/wages/", WageViewSet.as_view({"get": "list", "post": "create"}), name="wages"),
    path(
        "v1/wages/<id:wage_pk>/",
        WageViewSet.as_view({"get": "retrieve", "delete": "destroy"}),  # only planned ones
        name="wage",
    ),
    path(
        "v1/wage-components/",
        WageComponentViewSet.as_view({"get": "list", "post": "create"}),
        name="wage_components",
    ),
    path(
        "v1/wage-components/<id:wage_component_pk>/",
        WageComponentViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
        ),
        name="wage_component",
    ),
    path(
        "v1/custom-fields/",
        CustomFieldViewSet.as_view({"get": "list", "post": "create"}),
        name="custom_fields",
    ),
    path(
        "v1/custom-fields/<id:custom_field_pk>/",
        CustomFieldViewSet.as_view(
            {"get": "retrieve", "patch": "partial_update", "put": "update", "delete": "destroy"}
        ),
        name="custom_field",
    ),
    path("v1/roles/", RoleViewSet.as_view({"get": "list"}), name="roles"),
    path("v1/roles/<id:role_pk>/", RoleViewSet.as_view({"get": "retrieve"}), name="role"),
    path("v1/memberships/", MembershipViewSet.as_view({"get": "list"}), name="memberships"),
    path(
        "v1/memberships/<id:membership_pk>/",
        MembershipViewSet.as_view({"get": "retrieve"}),
        name="membership",
    ),
    path("v1/audit-events/", AuditEventViewSet.as_view({"get": "list"}), name="audit_events"),
    path(
        "v1/audit-events/<id:audit_event_pk>/",
        AuditEventViewSet.as_view({"get": "retrieve"}),
        name="audit_event",
    ),
    path("v1/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("v1/docs/", SwaggerView.as_view(url_name="api:schema"), name="docs"),
]
