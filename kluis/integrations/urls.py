from django.urls import path

from kluis.integrations import oauth_views, views

app_name = "integrations"

urlpatterns = [
    path("api-keys/", views.api_keys, name="api_keys"),
    path("api-keys/<int:pk>/revoke/", views.api_key_revoke, name="api_key_revoke"),
    path("connected-apps/", oauth_views.connected_apps, name="connected_apps"),
    path(
        "connected-apps/<int:pk>/revoke/",
        oauth_views.connected_app_revoke,
        name="connected_app_revoke",
    ),
    path("api-clients/", views.api_client_create, name="api_client_create"),
    path("api-clients/<int:pk>/revoke/", views.api_client_revoke, name="api_client_revoke"),
]
