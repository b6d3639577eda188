"""URLs of kluis.sandbox."""

from django.urls import URLPattern, URLResolver, path

from kluis.sandbox import views

app_name = "sandbox"

urlpatterns: list[URLPattern | URLResolver] = [
    path("settings/sandboxes/", views.sandboxes, name="sandboxes"),
    path("settings/sandboxes/<int:pk>/delete/", views.delete, name="delete"),
]
