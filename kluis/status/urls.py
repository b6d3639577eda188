"""URLs of kluis.status: the public status page, security.txt and the operator page."""

from django.urls import URLPattern, URLResolver, path

from kluis.status import feeds, security, views, views_operator

app_name = "status"

urlpatterns: list[URLPattern | URLResolver] = [
    path("status", views.status_page, name="page"),
    path("status.json", views.status_json, name="json"),
    path("status/feed.atom", feeds.IncidentFeed(), name="feed"),
    path("status/subscribe", views.subscribe, name="subscribe"),
    path("status/confirm/<str:token>", views.confirm, name="confirm"),
    path("status/unsubscribe/<str:token>", views.unsubscribe, name="unsubscribe"),
    path(".well-known/security.txt", security.security_txt, name="security-txt"),
    path("security/disclosure", security.disclosure, name="disclosure"),
    path("operator/status/", views_operator.status_admin, name="operator"),
]
