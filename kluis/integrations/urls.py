from django.urls import path

from kluis.integrations import oauth_views, views, views_approved, views_webhooks

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
    path("credentials/<int:pk>/", views_approved.credential_secret, name="credential_secret"),
    path("webhooks/", views_webhooks.webhook_list, name="webhooks"),
    path("webhooks/new/", views_webhooks.webhook_new, name="webhook_new"),
    path("webhooks/<int:webhook_pk>/", views_webhooks.webhook_detail, name="webhook"),
    path("webhooks/<int:webhook_pk>/watch/", views_webhooks.webhook_watch, name="webhook_watch"),
    path("webhooks/<int:webhook_pk>/edit/", views_webhooks.webhook_edit, name="webhook_edit"),
    path("webhooks/<int:webhook_pk>/turn/", views_webhooks.webhook_toggle, name="webhook_toggle"),
    path("webhooks/<int:webhook_pk>/ping/", views_webhooks.webhook_ping, name="webhook_ping"),
    path("webhooks/<int:webhook_pk>/rotate/", views_webhooks.webhook_rotate, name="webhook_rotate"),
    path("webhooks/<int:webhook_pk>/delete/", views_webhooks.webhook_delete, name="webhook_delete"),
    path(
        "webhooks/<int:webhook_pk>/replay/",
        views_webhooks.webhook_replay_since,
        name="webhook_replay_since",
    ),
    path(
        "webhooks/<int:webhook_pk>/deliveries/<int:delivery_pk>/replay/",
        views_webhooks.delivery_replay,
        name="delivery_replay",
    ),
]
