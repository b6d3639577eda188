"""URLs of kluis.releases: the release notes in the help menu, dismissing What's new."""

from django.urls import URLPattern, URLResolver, path

from kluis.releases import views

app_name = "releases"

urlpatterns: list[URLPattern | URLResolver] = [
    path("whats-new/", views.history, name="history"),
    path("whats-new/dismiss/", views.dismiss, name="dismiss"),
]
