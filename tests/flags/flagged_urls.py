"""A test-only URL conf: the site's URLs plus a page, a view and an API endpoint that a flag
guards the way product code does (template tag, view decorator, DRF permission)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template import Context, RequestContext, Template
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from kluis.access.decorators import member_required
from kluis.api.views import ApiViewSet, HasPermissionForMethod
from kluis.flags import enabled
from kluis.flags.guards import flag_permission, flag_required
from kluis.urls import urlpatterns as site

PAGE = Template(
    '{% load kluis_flags %}{% flag_enabled "sandboxes" as sandboxes %}'
    "<p>{% if sandboxes %}New sandbox{% else %}No sandboxes{% endif %}</p>"
)
FLAGS = ("flag_a", "flag_b", "flag_c", "flag_d", "sandboxes")


@member_required()
def page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(PAGE.render(RequestContext(request, {})))


@member_required()
@flag_required("sandboxes")
def guarded(request: HttpRequest) -> HttpResponse:
    return HttpResponse("the guarded view")


@member_required()
def five(request: HttpRequest) -> HttpResponse:
    """Checks five flags, twice each, and says which are on."""
    first = [name for name in FLAGS if enabled(name, request=request)]
    again = [name for name in FLAGS if enabled(name, request=request)]
    assert first == again
    on = first
    return HttpResponse(Template("{{ on|join:',' }}").render(Context({"on": on})))


class GuardedApi(ApiViewSet):
    permission_classes = [IsAuthenticated, HasPermissionForMethod, flag_permission("sandboxes")]
    required_permissions = {"GET": "people.view"}

    def list(self, request: Request) -> Response:
        return Response({"sandboxes": "available"})


urlpatterns = [
    path("flagged/page/", page),
    path("flagged/guarded/", guarded),
    path("flagged/five/", five),
    path("api/v1/flagged/", GuardedApi.as_view({"get": "list"})),
    *site,
]
