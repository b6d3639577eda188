"""URLs of kluis.flags."""

from django.urls import URLPattern, URLResolver, path

from kluis.flags import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("operator/flags/", views.operator_flags, name="operator-flags"),
]
